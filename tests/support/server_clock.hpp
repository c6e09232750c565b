#ifndef MEMCACHE_TESTS_SUPPORT_SERVER_CLOCK_HPP
#define MEMCACHE_TESTS_SUPPORT_SERVER_CLOCK_HPP

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

#include <memcache/memcache.hpp>

namespace memcache::test {

/// memcached's clock, the one its expiry uses: the Unix time it counts in
/// whole seconds (stats "time"), read through `probe`, a Client on that
/// server only. It ticks once a second, when the server gets to it: on a
/// loaded machine, later than the wall clock says.
inline std::int64_t server_time(memcache::Client& probe) {
  const auto stats = probe.get_stats();
  if (stats.size() != 1 || stats[0].second.count("time") == 0) throw std::runtime_error("no stats from the server");
  return std::stoll(stats[0].second.at("time"));
}

/// Returns just after memcached's clock ticked, with the time it reads now.
/// An item stored with a 1 s TTL expires at the server's next tick, which may
/// come a moment after the store: a test that reads such an item back first
/// calls this, and then has about a second before the next tick.
inline std::int64_t after_clock_tick(memcache::Client& probe) {
  const std::int64_t before = server_time(probe);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    const std::int64_t now = server_time(probe);
    if (now != before) return now;
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("memcached's clock did not tick in 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_SERVER_CLOCK_HPP
