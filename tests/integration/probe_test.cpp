// Dead servers are probed by one call at a time once dead_retry is up (the
// others keep skipping them), and a server that comes back is used again
// within about dead_probe_interval, however recently a probe failed.

#include <atomic>
#include <thread>

#include "common.hpp"

namespace itest {
namespace {

TEST_CASE("after dead_retry, one call probes a stalled server while the others keep skipping it",
          "[integration][probe]") {
  SilentListener stalled;  // connects, never answers: each probe costs its caller socket_timeout
  MemcachedServer live;
  memcache::Options o = quick_options();
  o.dead_retry = 2s;
  memcache::Client mc({stalled.spec(), live.spec()}, o);
  const memcache::Key on_stalled(0, "probe_key");  // buckets[0 % 2]: the stalled server

  CHECK_FALSE(mc.get(on_stalled));  // times out: marked dead
  CHECK(stalled.connections() == 1);
  REQUIRE(mc.set(on_stalled, "rehashed"));  // skipped: rehashed to the live server
  CHECK(stalled.connections() == 0);

  std::this_thread::sleep_for(o.dead_retry + 100ms);
  constexpr int threads = 8;
  std::atomic<int> rehashed{0};
  const auto start = Clock::now();
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        if (mc.get(on_stalled) == OptStr("rehashed")) ++rehashed;
      }
    });
  }
  for (auto& c : callers) c.join();
  const long long elapsed = ms_since(start);
  // One probe, plus one per dead_retry the burst lasted on a loaded machine
  // (a failed probe re-arms min(dead_retry, dead_probe_interval)); every
  // caller probing at once would be 8.
  const int probes = stalled.connections();
  INFO("burst took " << elapsed << " ms");
  CHECK(probes >= 1);
  CHECK(probes <= 1 + elapsed / 1000);
  CHECK(probes < threads);
  CHECK(rehashed >= threads * 3 - probes);
}

TEST_CASE("a server back just after a failed probe is used again within dead_probe_interval", "[integration][probe]") {
  MemcachedServer server;
  memcache::Options o = quick_options();
  o.dead_retry = 3s;
  o.dead_probe_interval = 200ms;
  memcache::Client mc({server.spec()}, o);
  REQUIRE(mc.set("k", "v"));

  server.kill();
  CHECK_FALSE(mc.set("k", "v"));  // marked dead for dead_retry
  std::this_thread::sleep_for(o.dead_retry + 100ms);
  CHECK_FALSE(mc.set("k", "v"));  // the probe fails: skipped for dead_probe_interval only

  server.restart();
  const auto start = Clock::now();
  bool stored = false;
  while (!stored && ms_since(start) < 10000) {
    stored = mc.set("k", "back");
    if (!stored) std::this_thread::sleep_for(20ms);
  }
  const long long elapsed = ms_since(start);
  INFO("used again " << elapsed << " ms after the restart");
  CHECK(stored);
  // Within the probe interval plus a loaded machine's slack, well before
  // the 3 s a failed probe re-armed before.
  CHECK(elapsed < 200 + 1500);
  CHECK(mc.get("k") == OptStr("back"));
}

TEST_CASE("a probe that succeeds brings the server back for every caller", "[integration][probe]") {
  MemcachedServer a, b;
  memcache::Options o = quick_options();
  o.dead_retry = 1s;
  memcache::Client mc({a.spec(), b.spec()}, o);
  const memcache::Key on_a(0, "on_a");
  REQUIRE(mc.set(on_a, "first"));
  REQUIRE(probe(a).get("on_a") == OptStr("first"));

  a.pause();
  CHECK_FALSE(mc.get(on_a));  // times out: a is dead
  a.resume();
  REQUIRE(mc.set(on_a, "while dead"));  // rehashed to b
  CHECK(probe(b).get("on_a") == OptStr("while dead"));

  std::this_thread::sleep_for(o.dead_retry + 100ms);
  // The probe (this call) reaches a, and from then on every call does.
  CHECK(mc.get(on_a) == OptStr("first"));
  for (int i = 0; i < 5; ++i) CHECK(mc.get(on_a) == OptStr("first"));
}

}  // namespace
}  // namespace itest
