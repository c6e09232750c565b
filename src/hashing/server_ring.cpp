#include "hashing/server_ring.hpp"

#include <memcache/error.hpp>

#include "hashing/python_hash.hpp"

namespace memcache::detail {
namespace {
constexpr unsigned python_server_retries = 10;
}  // namespace

ServerRing::ServerRing(const std::vector<Entry>& servers, Hashing hashing) : hashing_(hashing) {
  if (hashing == Hashing::ketama) throw Error("ketama hashing is not implemented yet");
  for (std::size_t i = 0; i < servers.size(); ++i) {
    for (unsigned w = 0; w < servers[i].weight; ++w) buckets_.push_back(i);
  }
}

std::optional<std::size_t> ServerRing::pick(std::string_view key, std::optional<std::uint64_t> hash,
                                            const Usable& usable) const {
  if (buckets_.empty()) return std::nullopt;
  const bool zero_as_one = hashing_ == Hashing::python_1_59;
  std::uint64_t h = hash ? *hash : python_hash(key, zero_as_one);
  for (unsigned attempt = 0; attempt < python_server_retries; ++attempt) {
    std::size_t server = buckets_[h % buckets_.size()];
    if (usable(server)) return server;
    h = python_rehash(h, attempt, zero_as_one);
  }
  return std::nullopt;
}

std::size_t ServerRing::first_choice(std::string_view key) const {
  return *pick(key, std::nullopt, [](std::size_t) { return true; });
}

}  // namespace memcache::detail
