// ServerState (dead / probe / alive) and ConnectionCap: the health and the
// learned connection cap both clients share.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cluster/connection_cap.hpp"
#include "cluster/server_state.hpp"

using memcache::detail::ConnectionCap;
using memcache::detail::ServerState;
using namespace std::chrono_literals;

namespace {

ServerState make_state(const memcache::Options& options) {
  return ServerState(memcache::detail::parse_address("127.0.0.1:1"), 1, options, [](std::string_view) {});
}

}  // namespace

TEST_CASE("ServerState: dead for dead_retry, then probed by one caller at a time", "[unit]") {
  memcache::Options o;
  o.dead_retry = 1s;
  o.dead_probe_interval = 10s;  // longer than the test: only one probe
  ServerState s = make_state(o);
  CHECK(s.usable());
  CHECK_FALSE(s.dead());
  s.mark_dead("test");
  CHECK(s.dead());
  CHECK_FALSE(s.usable());
  std::this_thread::sleep_for(1100ms);

  // Time is up: of many callers at once, exactly one gets to probe.
  std::atomic<int> probes{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      for (int j = 0; j < 100; ++j) probes += s.usable() ? 1 : 0;
    });
  }
  for (auto& c : callers) c.join();
  CHECK(probes == 1);
  CHECK(s.dead());

  // The probe succeeds: everyone uses the server again.
  s.mark_alive();
  CHECK_FALSE(s.dead());
  CHECK(s.usable());
  CHECK(s.usable());
}

TEST_CASE("ServerState: a failed probe re-arms the probe interval, not dead_retry", "[unit]") {
  // The interval is long enough that the check right after mark_dead is not
  // late on a loaded machine, and short enough beside dead_retry to tell a
  // re-armed interval from a re-armed dead_retry.
  memcache::Options o;
  o.dead_retry = 2s;
  o.dead_probe_interval = 500ms;
  ServerState s = make_state(o);
  s.mark_dead("down");
  std::this_thread::sleep_for(o.dead_retry + 100ms);
  REQUIRE(s.usable());  // the probe
  s.mark_dead("still down");
  CHECK_FALSE(s.usable());
  // Well under dead_retry later, the next probe is allowed.
  bool probed = false;
  const auto start = std::chrono::steady_clock::now();
  while (!probed && std::chrono::steady_clock::now() - start < 1500ms) {
    probed = s.usable();
    std::this_thread::sleep_for(10ms);
  }
  CHECK(probed);

  // A late failure of another call does not shorten a dead_retry.
  ServerState fresh = make_state(o);
  fresh.mark_dead("first");
  fresh.mark_dead("a late second");
  std::this_thread::sleep_for(o.dead_probe_interval + 300ms);  // past a probe interval, well within dead_retry
  CHECK_FALSE(fresh.usable());

  // forget_dead_hosts.
  fresh.revive();
  CHECK(fresh.usable());
}

TEST_CASE("ConnectionCap: learns the lowest count refused, never below one, until reset", "[unit]") {
  ConnectionCap cap(16);
  CHECK(cap.limit() == 16);
  CHECK_FALSE(cap.learned());
  CHECK(cap.refused(9));
  CHECK(cap.limit() == 9);
  CHECK(cap.refused(7));
  CHECK(cap.refused(12));  // a late, higher count does not raise it
  CHECK(cap.limit() == 7);
  CHECK(cap.learned());
  CHECK_FALSE(cap.refused(0));  // no connection of ours works: nothing to wait for
  CHECK(cap.limit() == 7);
  cap.reset();
  CHECK(cap.limit() == 16);
  CHECK(ConnectionCap(0).limit() == 1);
}
