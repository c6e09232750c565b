// Many concurrent operations share one pipelined connection per server;
// every result is checked against the value that names its key.

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <map>
#include <thread>

#include "async_test.hpp"

using namespace atest;

namespace {

std::string key_of(std::size_t coroutine, std::size_t i) {
  return "co" + std::to_string(coroutine) + ":" + std::to_string(i);
}

}  // namespace

TEST_CASE("10,000 concurrent operations from 200 coroutines on one connection per server", "[async]") {
  MemcachedServer a, b;
  FaultProxy pa(a.port()), pb(b.port());
  asio::io_context io;
  memcache::AsyncClient mc(io, {pa.spec(), pb.spec()}, steady_options());
  Spawner spawner(io);
  constexpr std::size_t coroutines = 200, keys_each = 10;
  std::atomic<std::size_t> wrong{0}, ops{0};
  for (std::size_t c = 0; c < coroutines; ++c) {
    spawner.spawn([&, c]() -> awaitable<void> {
      // 50 operations each: 10 sets, 10 gets, 10 appends, 10 gets, 5 incrs,
      // a get_multi, 3 deletes and a get of a deleted key.
      for (std::size_t i = 0; i < keys_each; ++i) {
        if (!co_await mc.async_set(key_of(c, i), value_for(key_of(c, i)), asio::use_awaitable)) ++wrong;
      }
      for (std::size_t i = 0; i < keys_each; ++i) {
        if (co_await mc.async_get(key_of(c, i), asio::use_awaitable) != OptStr(value_for(key_of(c, i)))) ++wrong;
      }
      for (std::size_t i = 0; i < keys_each; ++i) {
        if (!co_await mc.async_append(key_of(c, i), "+" + key_of(c, i), asio::use_awaitable)) ++wrong;
      }
      for (std::size_t i = 0; i < keys_each; ++i) {
        const std::string k = key_of(c, i);
        if (co_await mc.async_get(k, asio::use_awaitable) != OptStr(value_for(k) + "+" + k)) ++wrong;
      }
      const std::string counter = "n" + std::to_string(c);
      co_await mc.async_set(counter, c, asio::use_awaitable);
      for (std::uint64_t i = 1; i <= 4; ++i) {
        if (co_await mc.async_incr(counter, c, asio::use_awaitable) != std::optional<std::uint64_t>(c + i * c)) ++wrong;
      }
      std::vector<std::string> keys;
      for (std::size_t i = 0; i < keys_each; ++i) keys.push_back(key_of(c, i));
      auto all = co_await mc.async_get_multi(keys, asio::use_awaitable);
      if (all.size() != keys_each) ++wrong;
      for (const auto& k : keys) {
        if (all[k] != value_for(k) + "+" + k) ++wrong;
      }
      for (std::size_t i = 0; i < 3; ++i) {
        if (!co_await mc.async_del(key_of(c, i), asio::use_awaitable)) ++wrong;
      }
      if (co_await mc.async_get(key_of(c, 0), asio::use_awaitable) != std::nullopt) ++wrong;
      ops += 50;
    });
  }
  run(io, std::chrono::seconds(60));
  spawner.rethrow();
  CHECK(spawner.finished() == coroutines);
  CHECK(ops == coroutines * 50);
  CHECK(wrong == 0);
  // Pipelined: one connection per server carried everything.
  CHECK(pa.accepted() == 1);
  CHECK(pb.accepted() == 1);
  CHECK(pa.faults_injected() + pb.faults_injected() == 0);
}

TEST_CASE("10,000 gets started at once: backpressure bounds what is in flight, every reply reaches its caller",
          "[async]") {
  const std::size_t limit = GENERATE(std::size_t{1}, std::size_t{16}, std::size_t{1024});
  INFO("max_requests_in_flight " << limit);
  MemcachedServer server;
  memcache::Client sync({server.spec()}, steady_options());
  std::map<std::string, std::string> items;
  for (int i = 0; i < 500; ++i) items["k" + std::to_string(i)] = value_for("k" + std::to_string(i));
  REQUIRE(sync.set_multi(items).empty());

  const auto connections_before = server_stat(server, "total_connections");
  asio::io_context io;
  memcache::Options options = fast_options();
  options.max_requests_in_flight = limit;
  options.socket_timeout = std::chrono::seconds(5);   // 10,000 queued behind a 1-deep pipe take a while
  options.connect_timeout = std::chrono::seconds(5);  // and sanitizer builds are slow
  memcache::AsyncClient mc(io, {server.spec()}, options);
  std::size_t right = 0, wrong = 0, failed = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string k = "k" + std::to_string(i % 500);
    mc.async_get(k, [&, k](std::error_code ec, std::optional<std::string> v) {
      if (ec) {
        ++failed;
      } else if (v == OptStr(value_for(k))) {
        ++right;
      } else {
        ++wrong;
      }
    });
  }
  run(io, std::chrono::seconds(60));
  CHECK(failed == 0);
  CHECK(wrong == 0);
  CHECK(right == 10000);
  // One connection for all 10,000, and the probe's.
  CHECK(server_stat(server, "total_connections") - connections_before == 2);
}

TEST_CASE("an io_context run by 4 threads, calls started from 4 more", "[async]") {
  MemcachedServer a, b;
  asio::io_context io;
  // Under TSan on a loaded machine a 1024-deep pipeline took longer than
  // fast_options' 200 ms, and all 1024 calls on it failed with timed_out.
  memcache::AsyncClient mc(io, {a.spec(), b.spec()}, steady_options());
  auto guard = asio::make_work_guard(io);
  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i) runners.emplace_back([&] { io.run(); });

  std::atomic<std::size_t> right{0}, wrong{0}, failed{0}, done{0};
  constexpr std::size_t per_thread = 2000;
  std::vector<std::thread> callers;
  for (std::size_t t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (std::size_t i = 0; i < per_thread; ++i) {
        const std::string k = "t" + std::to_string(t) + ":" + std::to_string(i % 100);
        // Set then get from the callback: each key belongs to one thread.
        mc.async_set(k, value_for(k), [&, k](std::error_code ec, bool stored) {
          if (ec || !stored) {
            ++(ec ? failed : wrong);
            ++done;
            return;
          }
          mc.async_get(k, [&, k](std::error_code ec2, std::optional<std::string> v) {
            ++(ec2 ? failed : v == OptStr(value_for(k)) ? right : wrong);
            ++done;
          });
        });
      }
    });
  }
  for (auto& c : callers) c.join();
  const auto until = Clock::now() + 60s;
  while (done < 4 * per_thread && Clock::now() < until) std::this_thread::sleep_for(10ms);
  guard.reset();
  for (auto& r : runners) r.join();
  CHECK(done == 4 * per_thread);
  CHECK(failed == 0);
  CHECK(wrong == 0);
  CHECK(right == 4 * per_thread);
}

TEST_CASE("cancelling one operation leaves the others on the pipeline correct", "[async]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Client sync({server.spec()}, steady_options());
  for (int i = 0; i < 20; ++i) REQUIRE(sync.set("k" + std::to_string(i), value_for("k" + std::to_string(i))));

  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, steady_options());
  // Every reply is held until the cancel has come: with a delay instead, a
  // loaded machine that ran the io_context late saw k7's reply first.
  proxy.stall();

  asio::cancellation_signal signal;
  std::vector<std::pair<std::error_code, OptStr>> results(20);
  std::vector<bool> completed(20, false);
  for (int i = 0; i < 20; ++i) {
    auto handler = [&, i](std::error_code ec, std::optional<std::string> v) {
      CHECK_FALSE(completed[static_cast<std::size_t>(i)]);  // exactly once
      completed[static_cast<std::size_t>(i)] = true;
      results[static_cast<std::size_t>(i)] = {ec, v};
    };
    if (i == 7) {
      mc.async_get("k7", asio::bind_cancellation_slot(signal.slot(), handler));
    } else {
      mc.async_get("k" + std::to_string(i), handler);
    }
  }
  asio::steady_timer timer(io, 30ms);
  timer.async_wait([&](std::error_code) {
    signal.emit(asio::cancellation_type::terminal);
    proxy.resume();
  });
  const auto start = Clock::now();
  run(io);
  CHECK(ms_since(start) < 2000);
  for (int i = 0; i < 20; ++i) {
    INFO("get " << i);
    CHECK(completed[static_cast<std::size_t>(i)]);
    if (i == 7) {
      CHECK(results[7].first == asio::error::operation_aborted);
      CHECK(results[7].second == std::nullopt);
    } else {
      CHECK_FALSE(results[static_cast<std::size_t>(i)].first);
      CHECK(results[static_cast<std::size_t>(i)].second == OptStr(value_for("k" + std::to_string(i))));
    }
  }
  // The cancelled get's reply was read and dropped: the next calls on the
  // same connection get their own replies.
  proxy.pass_through();
  std::optional<std::string> after;
  mc.async_get("k8", [&](std::error_code ec, std::optional<std::string> v) {
    CHECK_FALSE(ec);
    after = v;
  });
  run(io);
  CHECK(after == OptStr(value_for("k8")));
  CHECK(proxy.accepted() == 1);
}

TEST_CASE("destroying the client with operations pending completes them with operation_aborted", "[async]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  asio::io_context io;
  std::vector<std::error_code> codes;
  {
    memcache::AsyncClient mc(io, {proxy.spec()}, fast_options());
    proxy.stall();
    for (int i = 0; i < 5; ++i) {
      mc.async_get("k", [&](std::error_code ec, std::optional<std::string>) { codes.push_back(ec); });
    }
    io.restart();
    io.run_for(50ms);  // written, not answered
  }
  run(io);
  REQUIRE(codes.size() == 5);
  for (const auto& ec : codes) CHECK(ec == asio::error::operation_aborted);
}

TEST_CASE("gets started together are batched, and each reply still reaches its own caller", "[async]") {
  MemcachedServer server;
  memcache::Client sync({server.spec()}, steady_options());
  for (int i = 0; i < 90; i += 3) REQUIRE(sync.set("b" + std::to_string(i), value_for("b" + std::to_string(i))));
  const auto gets_before = server_stat(server, "cmd_get");

  asio::io_context io;
  memcache::Options options = steady_options();
  options.cache_cas = true;
  memcache::AsyncClient mc(io, {server.spec()}, options);
  // 300 gets of 90 keys (each asked for 3 or 4 times, 2 in 3 missing), plain
  // and with cas mixed, all queued before the connection is up.
  std::size_t right = 0, wrong = 0, misses = 0, cas_seen = 0;
  for (int i = 0; i < 300; ++i) {
    const int n = (i * 7) % 90;
    const std::string k = "b" + std::to_string(n);
    const bool stored = n % 3 == 0;
    auto check = [&, k, stored](std::error_code ec, const OptStr& v) {
      if (ec) {
        ++wrong;
      } else if (!stored) {
        (v ? wrong : misses)++;
      } else {
        (v == OptStr(value_for(k)) ? right : wrong)++;
      }
    };
    if (i % 5 == 0) {
      mc.async_gets_cas(k, [check, &cas_seen](std::error_code ec, std::optional<memcache::CasValue<std::string>> v) {
        if (v && v->cas_unique != 0) ++cas_seen;
        check(ec, v ? OptStr(v->value) : std::nullopt);
      });
    } else {
      mc.async_get(k, [check](std::error_code ec, std::optional<std::string> v) { check(ec, v); });
    }
  }
  run(io);
  CHECK(wrong == 0);
  CHECK(right == 100);
  CHECK(misses == 200);
  CHECK(cas_seen == 20);
  CHECK(server_stat(server, "cmd_get") - gets_before == 300);  // every key asked for once per call
}
