#ifndef MEMCACHE_TESTS_SUPPORT_SERVER_STAT_HPP
#define MEMCACHE_TESTS_SUPPORT_SERVER_STAT_HPP

#include <cstdint>
#include <stdexcept>
#include <string>

#include <memcache/memcache.hpp>

namespace memcache::test {

/// One numeric stat read through `probe`, a Client on one server only (so
/// it sees that server whatever the routing of the client under test).
inline std::uint64_t stat_of(memcache::Client&& probe, const std::string& name) {
  auto stats = probe.get_stats();
  if (stats.size() != 1) throw std::runtime_error("no stats from the probed server");
  auto it = stats[0].second.find(name);
  if (it == stats[0].second.end()) throw std::runtime_error("no stat " + name);
  return std::stoull(it->second);
}

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_SERVER_STAT_HPP
