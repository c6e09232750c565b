#include "cluster/hashing/ketama.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>
#include <openssl/evp.h>

#include <memcache/error.hpp>

namespace memcache::detail {
namespace {

// libmemcached's MEMCACHED_POINTS_PER_SERVER_KETAMA: points per server at the
// average weight, made as 40 MD5 digests of 4 points each.
constexpr std::uint32_t points_per_server = 160;
constexpr std::uint32_t points_per_digest = 4;

using Digest = std::array<unsigned char, 16>;

const EVP_MD* md5_method() {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  // Fetched once: an implicit fetch per EVP_Digest call costs a lock and a lookup.
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "MD5", nullptr);
#else
  static const EVP_MD* md = EVP_md5();
#endif
  return md;
}

Digest md5(std::string_view data) {
  Digest digest{};
  unsigned int length = 0;
  const EVP_MD* md = md5_method();
  if (md == nullptr || EVP_Digest(data.data(), data.size(), digest.data(), &length, md, nullptr) != 1 ||
      length != digest.size()) {
    throw Error("ketama hashing needs MD5, which OpenSSL refused");
  }
  return digest;
}

// Point `group` (0-3) of a digest: bytes 4*group .. 4*group+3, little-endian.
std::uint32_t digest_word(const Digest& digest, std::size_t group) {
  const unsigned char* b = digest.data() + 4 * group;
  return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
         static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

}  // namespace

std::uint32_t ketama_hash(std::string_view key) { return digest_word(md5(key), 0); }

std::string ketama_name(const Address& address) {
  switch (address.family) {
    case Address::Family::inet:
    case Address::Family::inet6:
      return address.port == 11211 ? address.host : fmt::format("{}:{}", address.host, address.port);
    case Address::Family::unix_socket:
      return address.path + ":0";
  }
  return {};
}

std::uint32_t ketama_point_count(unsigned weight, std::uint64_t total_weight, std::size_t servers) {
  // Every step in float32, in libmemcached's order: with doubles, 25 equal
  // servers would get 160 points each instead of libmemcached's 156. The
  // volatile keeps the product rounded to float before the addition, so no
  // compiler fuses them into one FMA that libmemcached's build did not do.
  const float pct = static_cast<float>(weight == 0 ? 1 : weight) / static_cast<float>(total_weight);
  const volatile float scaled =
      pct * static_cast<float>(points_per_server) / static_cast<float>(points_per_digest) * static_cast<float>(servers);
  const float groups = std::floor(scaled + 0.0000000001F);
  return static_cast<std::uint32_t>(groups) * points_per_digest;
}

Ketama::Ketama(const std::vector<Server>& servers) {
  std::uint64_t total_weight = 0;
  for (const Server& s : servers) total_weight += s.weight == 0 ? 1 : s.weight;

  for (std::size_t index = 0; index < servers.size(); ++index) {
    const std::uint32_t count = ketama_point_count(servers[index].weight, total_weight, servers.size());
    for (std::uint32_t group = 0; group < count / points_per_digest; ++group) {
      const Digest digest = md5(fmt::format("{}-{}", servers[index].name, group));
      for (std::size_t word = 0; word < points_per_digest; ++word) {
        points_.push_back({digest_word(digest, word), static_cast<std::uint32_t>(index)});
      }
    }
  }
  // libmemcached's qsort compares value, then server index; equal pairs are
  // interchangeable, so any sort gives its order.
  std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) {
    return a.value != b.value ? a.value < b.value : a.server < b.server;
  });
}

std::size_t Ketama::find(std::uint32_t hash) const {
  auto it = std::lower_bound(points_.begin(), points_.end(), hash,
                             [](const Point& p, std::uint32_t h) { return p.value < h; });
  return it == points_.end() ? 0 : static_cast<std::size_t>(it - points_.begin());
}

}  // namespace memcache::detail
