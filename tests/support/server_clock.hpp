#ifndef MEMCACHE_TESTS_SUPPORT_SERVER_CLOCK_HPP
#define MEMCACHE_TESTS_SUPPORT_SERVER_CLOCK_HPP

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <memcache/memcache.hpp>

namespace memcache::test {

/// Returns just after memcached's clock (stats "time", whole seconds) ticked,
/// reading it through `probe`, a Client on that server only. An item stored
/// with a 1 s TTL expires at the server's next tick, which may come a moment
/// after the store: a test that reads such an item back first calls this, and
/// then has about a second before the next tick.
inline void after_clock_tick(memcache::Client& probe) {
  auto server_time = [&probe] {
    const auto stats = probe.get_stats();
    if (stats.size() != 1 || stats[0].second.count("time") == 0) throw std::runtime_error("no stats from the server");
    return stats[0].second.at("time");
  };
  const std::string before = server_time();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_time() == before) {
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("memcached's clock did not tick in 5 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_SERVER_CLOCK_HPP
