#ifndef MEMCACHE_SRC_HASHING_KETAMA_HPP
#define MEMCACHE_SRC_HASHING_KETAMA_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/address.hpp"

namespace memcache::detail {

/// libmemcached's ketama key hash (MD5 with MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED):
/// the first 4 bytes of MD5(key), read little-endian.
std::uint32_t ketama_hash(std::string_view key);

/// The name libmemcached hashes for a server's points (`<name>-<N>`): the host
/// exactly as configured when the port is 11211, `host:port` otherwise, and
/// `path:0` for a unix socket (libmemcached stores its port as 0).
std::string ketama_name(const Address& address);

/// Points a server gets on the weighted continuum, computed in float32 exactly
/// as libmemcached does: `floor(weight / total * 160 / 4 * servers + 1e-10f) * 4`.
/// A weight of 0 counts as 1, as in libmemcached.
std::uint32_t ketama_point_count(unsigned weight, std::uint64_t total_weight, std::size_t servers);

/// libmemcached's weighted ketama continuum (MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED,
/// which libmemcached runs as MEMCACHED_DISTRIBUTION_CONSISTENT_WEIGHTED) over
/// a server list, no I/O.
///   Ketama ring({{"10.0.0.1", 1}, {"10.0.0.2:11212", 2}});
///   std::size_t server = ring.points()[ring.find(ketama_hash("user_001"))].server;
class Ketama {
 public:
  struct Server {
    std::string name;  // ketama_name() of the server's address
    unsigned weight;
  };
  struct Point {
    std::uint32_t value;
    std::uint32_t server;  // index into the server list
  };

  explicit Ketama(const std::vector<Server>& servers);

  /// Points sorted by value, ties by server index (libmemcached's order).
  const std::vector<Point>& points() const { return points_; }

  /// Index into points() of the first point with value >= `hash`, wrapping to
  /// 0 past the last; requires a non-empty continuum.
  std::size_t find(std::uint32_t hash) const;

 private:
  std::vector<Point> points_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_HASHING_KETAMA_HPP
