#ifndef MEMCACHE_SERVER_HPP
#define MEMCACHE_SERVER_HPP

#include <string>
#include <string_view>

namespace memcache {

/// One entry of a server list: a server string and a weight.
///
/// Server strings follow python-memcached: `"host:port"`, `"host"` (port
/// 11211), `"inet:host:port"`, `"inet6:[::1]:11211"`, `"unix:/path/to/socket"`.
/// A server with weight N appears N times in the bucket list.
///
///     memcache::Client mc({"10.0.0.1:11211", {"10.0.0.2:11211", 3}});
///
/// The string is checked when a Client is built; a bad one throws
/// `memcache::ServerSpecError` naming it.
struct Server {
  Server(std::string spec_, unsigned weight_ = 1) : spec(std::move(spec_)), weight(weight_) {}
  Server(const char* spec_, unsigned weight_ = 1) : spec(spec_), weight(weight_) {}
  Server(std::string_view spec_, unsigned weight_ = 1) : spec(spec_), weight(weight_) {}

  std::string spec;
  unsigned weight = 1;
};

}  // namespace memcache

#endif  // MEMCACHE_SERVER_HPP
