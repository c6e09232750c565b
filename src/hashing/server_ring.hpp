#ifndef MEMCACHE_SRC_HASHING_SERVER_RING_HPP
#define MEMCACHE_SRC_HASHING_SERVER_RING_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <memcache/options.hpp>

#include "address.hpp"

namespace memcache::detail {

/// Maps keys to servers (by index into the server list) with the configured
/// scheme, skipping servers the caller finds unusable. No I/O: "usable" is
/// the caller's question (python-memcached asks by trying to connect).
class ServerRing {
 public:
  struct Entry {
    Address address;
    unsigned weight;
  };
  using Usable = std::function<bool(std::size_t server)>;

  ServerRing(const std::vector<Entry>& servers, Hashing hashing);

  /// The server for `key` (the key as sent, prefix included), or an explicit
  /// `hash`; nullopt when no usable server was found within python-memcached's
  /// 10 tries (python hashing) or on the whole continuum (ketama).
  std::optional<std::size_t> pick(std::string_view key, std::optional<std::uint64_t> hash,
                                  const Usable& usable) const;

  /// The server `key` maps to when every server is usable.
  std::size_t first_choice(std::string_view key) const;

 private:
  Hashing hashing_;
  std::vector<std::size_t> buckets_;  // python: each server `weight` times, in list order
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_HASHING_SERVER_RING_HPP
