// A memcached that allows few connections (memcached -c): the pool learns the
// cap from its refusal and callers wait for a pooled connection instead of
// failing with "ERROR Too many open connections".

#include <atomic>
#include <thread>

#include "common.hpp"

namespace itest {
namespace {

TEST_CASE("16 threads on one Client against a memcached with few connections: every call succeeds",
          "[integration][cap]") {
  // -c 16 with one worker thread leaves about 7 connections for clients.
  MemcachedServer server(Transport::tcp, {"-c", "16", "-t", "1"});
  memcache::Options o = quick_options();
  o.max_connections_per_server = 16;
  o.socket_timeout = 10s;  // how long a caller may wait for a pooled connection
  o.connect_timeout = 10s;
  LogCapture log;
  o.debug = true;
  o.log = log.sink();
  memcache::Client mc({server.spec()}, o);

  constexpr int threads = 16;
  constexpr int rounds = 40;
  std::atomic<int> failed{0}, wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < rounds; ++i) {
        const std::string key = "cap_" + std::to_string(t) + "_" + std::to_string(i);
        const std::string value = "value of " + key;
        if (!mc.set(key, value)) ++failed;
        auto v = mc.get(key);
        if (!v) {
          ++failed;
        } else if (*v != value) {
          ++wrong;
        }
        auto found = mc.get_multi({key, "cap_absent"});
        if (found.size() != 1 || found[key] != value) ++failed;
      }
    });
  }
  for (auto& th : pool) th.join();
  INFO("log: " << (log.messages().empty() ? std::string() : log.messages().front()));
  CHECK(failed == 0);
  CHECK(wrong == 0);
  // The cap was really hit (memcached counted refusals), and learned: the
  // client never marked the server dead for it.
  // (Read through the client itself: a probe's connection would be refused.)
  const auto stats = mc.get_stats();
  REQUIRE(stats.size() == 1);
  CHECK(std::stoull(stats[0].second.at("rejected_connections")) > 0);
  CHECK(std::stoull(stats[0].second.at("curr_connections")) <= 16);
  CHECK(log.contains("too many open connections"));
  CHECK_FALSE(log.contains("Marking dead"));
}

TEST_CASE("a server that refuses every connection of ours fails the call, not the server", "[integration][cap]") {
  MemcachedServer server(Transport::tcp, {"-c", "16", "-t", "1"});
  // Other clients hold every connection the server allows.
  std::vector<std::unique_ptr<memcache::Client>> hogs;
  memcache::Options o = quick_options();
  o.socket_timeout = 2s;
  o.connect_timeout = 2s;
  for (int i = 0; i < 12; ++i) {
    hogs.push_back(std::make_unique<memcache::Client>(std::vector<memcache::Server>{server.spec()}, o));
    hogs.back()->set("hog", "x");
  }
  LogCapture log;
  o.debug = true;
  o.log = log.sink();
  memcache::Client mc({server.spec()}, o);
  const auto start = Clock::now();
  CHECK_FALSE(mc.set("k", "v"));
  CHECK_FALSE(mc.get("k"));
  CHECK(ms_since(start) < 2000);  // refused at once: no wait for a connection that does not exist
  CHECK(log.contains("too many open connections"));
  CHECK_FALSE(log.contains("Marking dead"));

  // Once the others leave (memcached notices their closes in its own time),
  // the same client works.
  hogs.clear();
  bool stored = false;
  for (int i = 0; i < 100 && !stored; ++i) {
    stored = mc.set("k", "v");
    if (!stored) std::this_thread::sleep_for(50ms);
  }
  CHECK(stored);
  CHECK(mc.get("k") == OptStr("v"));
}

}  // namespace
}  // namespace itest
