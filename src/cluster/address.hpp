#ifndef MEMCACHE_SRC_ADDRESS_HPP
#define MEMCACHE_SRC_ADDRESS_HPP

#include <cstdint>
#include <string>
#include <string_view>

namespace memcache::detail {

/// Where a server listens, parsed from a python-memcached server string.
struct Address {
  enum class Family { inet, inet6, unix_socket };

  Family family = Family::inet;
  std::string host;            // inet/inet6: exactly as configured
  std::uint16_t port = 11211;  // inet/inet6
  std::string path;            // unix_socket

  /// python-memcached's `str(host)`: `inet:127.0.0.1:11211`, `unix:/tmp/s`.
  std::string to_string() const;
  /// python-memcached's name in get_stats(): `127.0.0.1:11211 (1)`.
  std::string stats_name(unsigned weight) const;
};

/// Parses `host:port`, `host`, `inet:host[:port]`, `inet6:[addr][:port]`,
/// `unix:/path`; throws ServerSpecError naming the string otherwise.
Address parse_address(std::string_view spec);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ADDRESS_HPP
