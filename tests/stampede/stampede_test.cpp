// get_or_set / invalidate against real memcached (and through twemproxy):
// herds of processes x threads, stale-while-revalidate, a winner killed
// mid-computation, a value changed during a slow computation, no server,
// and an 8-thread soak with every value checked.

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <memcache/memcache.hpp>

#include "child.hpp"
#include "memcached_server.hpp"
#include "nutcracker.hpp"

namespace {

using memcache::test::MemcachedServer;
using memcache::test::Nutcracker;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// No server fails in these tests (but for the one that has none): a timeout
/// could only come from a loaded machine, so waits are long.
memcache::Options steady(std::chrono::seconds lease = 10s,
                         memcache::StampedeLock protocol = memcache::StampedeLock::meta) {
  memcache::Options o;
  o.socket_timeout = 10s;
  o.connect_timeout = 10s;
  o.stampede_lease = lease;
  o.stampede_lock = protocol;
  return o;
}

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

/// A one-shot gate a compute() blocks on until the test opens it (bounded).
class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!cv_.wait_for(lock, 60s, [&] { return open_; })) throw std::runtime_error("gate never opened");
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 30s) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

std::uint64_t counter(memcache::Client& mc, const std::string& key) {
  auto v = mc.get<std::uint64_t>(key);
  return v ? *v : 0;
}

struct Herd {
  int processes;
  int threads;
};

/// Runs herd_worker `herd.processes` times, releases them at once, and
/// returns every value their threads got.
std::vector<std::string> run_herd(const std::string& server, memcache::Client& mc, const std::string& key, Herd herd,
                                  int compute_ms, const char* protocol) {
  REQUIRE(mc.set("herd:ready", "0"));
  REQUIRE(mc.set("herd:computations", "0"));
  mc.del("herd:go");
  const std::string dir = memcache::test::make_temp_dir("herd");
  std::vector<pid_t> pids;
  for (int p = 0; p < herd.processes; ++p) {
    pids.push_back(
        memcache::test::spawn({HERD_WORKER, server, key, std::to_string(herd.threads), std::to_string(compute_ms), "10",
                               protocol, dir + "/out" + std::to_string(p)}));
  }
  const bool ready =
      eventually([&] { return counter(mc, "herd:ready") == static_cast<std::uint64_t>(herd.processes); }, 60s);
  REQUIRE(mc.set("herd:go", "1"));
  for (pid_t pid : pids) {
    const bool exited = eventually([&] { return memcache::test::child_exited(pid); }, 120s);
    if (!exited) memcache::test::kill_child(pid);
    CHECK(exited);
  }
  CHECK(ready);
  std::vector<std::string> got;
  for (int p = 0; p < herd.processes; ++p) {
    std::ifstream in(dir + "/out" + std::to_string(p));
    for (std::string line; std::getline(in, line);) got.push_back(line);
  }
  memcache::test::remove_dir(dir);
  return got;
}

}  // namespace

TEST_CASE("a herd of processes x threads on a cold key computes it once, every caller gets that value",
          "[stampede][herd]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, steady());
  const Herd herd{4, 8};

  SECTION("meta protocol, straight to memcached") {
    auto got = run_herd(server.spec(), mc, "herd:key", herd, 300, "meta");
    REQUIRE(got.size() == static_cast<std::size_t>(herd.processes * herd.threads));
    CHECK(counter(mc, "herd:computations") == 1);
    for (const auto& v : got) CHECK(v == got.front());
    CHECK(mc.get("herd:key") == got.front());
  }
  SECTION("the add-lock fallback through twemproxy (no meta commands)") {
    Nutcracker proxy({{server.spec()}});
    memcache::Client via({proxy.spec()}, steady(10s, memcache::StampedeLock::add));
    auto got = run_herd(proxy.spec(), via, "herd:key", herd, 300, "add");
    REQUIRE(got.size() == static_cast<std::size_t>(herd.processes * herd.threads));
    CHECK(counter(mc, "herd:computations") == 1);
    for (const auto& v : got) CHECK(v == got.front());
    CHECK(mc.get("herd:key") == got.front());
    // The lock is released once the value is stored.
    CHECK_FALSE(mc.get("herd:key:lock"));
  }
}

TEST_CASE("threads of one client share one computation", "[stampede]") {
  MemcachedServer server;
  auto protocol = GENERATE(memcache::StampedeLock::meta, memcache::StampedeLock::add);
  memcache::Client mc({server.spec()}, steady(10s, protocol));
  std::atomic<int> computed{0};
  std::vector<std::string> got(16);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back([&, t] {
      got[t] = mc.get_or_set("shared", [&] {
        ++computed;
        std::this_thread::sleep_for(200ms);
        return std::string("the value");
      });
    });
  }
  for (auto& th : threads) th.join();
  CHECK(computed == 1);
  for (const auto& v : got) CHECK(v == "the value");
  // A hit computes nothing; typed values go through their codec.
  CHECK(mc.get_or_set("shared", [&] { return std::string("recomputed"); }) == "the value");
  CHECK(mc.get_or_set("number", [] { return 42; }) == 42);
  CHECK(mc.get<int>("number") == 42);
  CHECK(mc.get_or_set("number", [] { return 7; }) == 42);
  CHECK(computed == 1);
}

TEST_CASE("after invalidate, one caller recomputes while the others get the stale value at once", "[stampede][stale]") {
  MemcachedServer server;
  memcache::Client a({server.spec()}, steady());
  memcache::Client b({server.spec()}, steady());
  CHECK(a.get_or_set("page", [] { return std::string("v1"); }) == "v1");
  CHECK(a.invalidate("page"));
  CHECK_FALSE(a.invalidate("never-set"));

  Gate started, release;
  std::string winner_got;
  std::thread winner([&] {
    winner_got = a.get_or_set("page", [&] {
      started.open();
      release.wait();
      return std::string("v2");
    });
  });
  started.wait();
  // The recomputation is blocked: every other caller, in another client or
  // in the winner's own, is answered with the stale value without waiting.
  std::atomic<int> others_computed{0};
  auto other = [&] {
    ++others_computed;
    return std::string("not me");
  };
  CHECK(b.get_or_set("page", other) == "v1");
  CHECK(a.get_or_set("page", other) == "v1");
  CHECK(b.get("page") == "v1");
  release.open();
  winner.join();
  CHECK(winner_got == "v2");
  CHECK(b.get_or_set("page", other) == "v2");
  CHECK(others_computed == 0);
}

TEST_CASE("a winner killed mid-computation blocks the key only until its lease ends", "[stampede][lease]") {
  MemcachedServer server;
  const auto protocol = GENERATE(as<std::string>{}, "meta", "add");
  const auto lease = 2s;
  memcache::Client mc({server.spec()},
                      steady(lease, protocol == "meta" ? memcache::StampedeLock::meta : memcache::StampedeLock::add));
  REQUIRE(mc.set("herd:computations", "0"));
  REQUIRE(mc.set("herd:go", "1"));
  const std::string dir = memcache::test::make_temp_dir("killed");
  // One worker whose compute() never ends: it holds the lease when killed.
  pid_t worker =
      memcache::test::spawn({HERD_WORKER, server.spec(), "orphan", "1", "600000", "2", protocol, dir + "/out"});
  REQUIRE(eventually([&] { return counter(mc, "herd:computations") == 1; }, 60s));
  memcache::test::kill_child(worker);
  memcache::test::remove_dir(dir);

  const auto start = Clock::now();
  int computed = 0;
  CHECK(mc.get_or_set("orphan", [&] {
    ++computed;
    return std::string("recomputed");
  }) == "recomputed");
  CHECK(computed == 1);
  // Waited for the dead winner's lease (whole seconds on the server's
  // clock), not for socket timeouts or forever.
  CHECK(ms_since(start) < 2 * std::chrono::duration_cast<std::chrono::milliseconds>(lease).count() + 10000);
  CHECK(mc.get("orphan") == "recomputed");
}

TEST_CASE("a value written during a slow computation is not overwritten", "[stampede][cas]") {
  MemcachedServer server;
  auto protocol = GENERATE(memcache::StampedeLock::meta, memcache::StampedeLock::add);
  memcache::Client mc({server.spec()}, steady(10s, protocol));
  memcache::Client other({server.spec()}, steady());

  SECTION("a set") {
    CHECK(mc.get_or_set("k", [&] {
      REQUIRE(other.set("k", "newer"));
      return std::string("older");
    }) == "older");
    CHECK(other.get("k") == "newer");
  }
  SECTION("an invalidate of the stale value being recomputed") {
    if (protocol == memcache::StampedeLock::add) return;  // no stale values without meta
    REQUIRE(mc.set("k", "v1"));
    REQUIRE(mc.invalidate("k"));
    CHECK(mc.get_or_set("k", [&] {
      REQUIRE(other.invalidate("k"));
      return std::string("v2 (already stale)");
    }) == "v2 (already stale)");
    // Not stored over the second invalidation: the next caller recomputes.
    CHECK(mc.get_or_set("k", [&] { return std::string("v3"); }) == "v3");
  }
}

TEST_CASE("with no server reachable, compute() runs and its value is returned", "[stampede][down]") {
  memcache::Options o;
  o.socket_timeout = 200ms;
  o.connect_timeout = 200ms;
  memcache::Client mc({"127.0.0.1:" + std::to_string(memcache::test::free_port())}, o);
  int computed = 0;
  for (int i = 0; i < 3; ++i) {
    CHECK(mc.get_or_set("k", [&] {
      ++computed;
      return std::string("fresh");
    }) == "fresh");
  }
  CHECK(computed == 3);
  CHECK_FALSE(mc.invalidate("k"));
}

TEST_CASE("what compute() throws reaches its caller and releases the lease", "[stampede]") {
  MemcachedServer server;
  auto protocol = GENERATE(memcache::StampedeLock::meta, memcache::StampedeLock::add);
  memcache::Client mc({server.spec()}, steady(10s, protocol));
  CHECK_THROWS_WITH(mc.get_or_set("k", []() -> std::string { throw std::runtime_error("database down"); }),
                    "database down");
  // Not blocked by a lease nobody holds any more.
  const auto start = Clock::now();
  CHECK(mc.get_or_set("k", [] { return std::string("ok"); }) == "ok");
  CHECK(ms_since(start) < 5000);
  CHECK_THROWS_AS(mc.get_or_set("", [] { return std::string("x"); }), memcache::KeyError);
}

TEST_CASE("soak: 8 threads of get_or_set and invalidate, every value checked", "[stampede][soak]") {
  MemcachedServer server;
  memcache::Client one({server.spec()}, steady());
  memcache::Client two({server.spec()}, steady());
  constexpr int keys = 16;
  constexpr int rounds = 2000;
  std::atomic<int> computations{0}, invalidations{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      memcache::Client& mc = t % 2 ? one : two;
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < rounds; ++i) {
        const std::string key = "soak:" + std::to_string(rng() % keys);
        if (rng() % 10 == 0) {
          if (mc.invalidate(key)) ++invalidations;
          continue;
        }
        auto v = mc.get_or_set(key, [&] {
          ++computations;
          return "value-of:" + key;
        });
        if (v != "value-of:" + key) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  // Each key is computed once, then once per invalidation at most.
  CHECK(computations <= keys + invalidations);
  CHECK(computations >= 1);
}
