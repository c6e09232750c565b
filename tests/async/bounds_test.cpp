// Issue 15 under the async client: a failure costs one request, never its
// neighbours, and never more than its bound. A write that keeps moving is not
// a failure; a slow or stalled server does not hold calls to other servers,
// nor, past their own bounds, the calls queued behind it; get_multi reports a
// server that timed out along with what the others found; an error line is
// the answer to one request.

#include <algorithm>
#include <map>
#include <unordered_map>

#include <asio/steady_timer.hpp>

#include "async_test.hpp"
#include "nutcracker.hpp"

using namespace atest;
using memcache::test::Nutcracker;

namespace {

// Keys that python-memcached's hash puts on server 0 or 1 of a two-server
// list, found with a client of that list.
std::vector<std::string> keys_on(std::size_t server, std::size_t n, const std::vector<std::string>& specs) {
  // A one-server client on each spec tells nothing; ask the two-server
  // client where each key went by storing through it and probing each server.
  memcache::Client both({specs[0], specs[1]}, steady_options());
  memcache::Client only({specs[server]}, steady_options());
  std::vector<std::string> keys;
  for (std::size_t i = 0; keys.size() < n && i < 100000; ++i) {
    const std::string k = "bk" + std::to_string(server) + "-" + std::to_string(i);
    REQUIRE(both.set(k, value_for(k)));
    if (only.get(k)) keys.push_back(k);
  }
  REQUIRE(keys.size() == n);
  return keys;
}

// The longest a call took, and how each ended.
struct Outcomes : Tally {
  long long longest_ms = 0;
};

void timed_gets(memcache::AsyncClient& mc, const std::vector<std::string>& keys, Outcomes& out) {
  for (const auto& k : keys) {
    const auto start = Clock::now();
    mc.async_get(k, [&out, k, start](std::error_code ec, std::optional<std::string> v) {
      out.longest_ms = std::max(out.longest_ms, ms_since(start));
      out.record(ec, k, v);
    });
  }
}

}  // namespace

TEST_CASE("a large write over a slow link that keeps moving succeeds, however long it takes", "[async][bounds]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  // 16 KiB each 20 ms (800 KB/s): two 900 KB sets take over 2 s on one
  // connection, twice socket_timeout, yet their bytes never stop for long.
  proxy.throttle(16 * 1024, 20ms);
  memcache::Options options = fast_options();
  options.socket_timeout = 1s;
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);
  const std::string big_a(900 * 1000, 'a');
  const std::string big_b(900 * 1000, 'b');
  std::error_code ec_a, ec_b;
  bool stored_a = false, stored_b = false;
  mc.async_set("big-a", big_a, [&](std::error_code ec, bool ok) {
    ec_a = ec;
    stored_a = ok;
  });
  mc.async_set("big-b", big_b, [&](std::error_code ec, bool ok) {
    ec_b = ec;
    stored_b = ok;
  });
  const auto start = Clock::now();
  run(io);
  const auto took = ms_since(start);
  INFO("two 900 KB sets took " << took << " ms");
  CHECK(took > 1000);  // longer than socket_timeout: the point of the test
  CHECK(ec_a == std::error_code());
  CHECK(ec_b == std::error_code());
  CHECK(stored_a);
  CHECK(stored_b);
  proxy.pass_through();
  memcache::Client check({server.spec()}, steady_options());
  CHECK(check.get("big-a") == OptStr(big_a));
  CHECK(check.get("big-b") == OptStr(big_b));
}

TEST_CASE("a stalled server: its calls fail within their bound, calls to the other server go on", "[async][bounds]") {
  MemcachedServer a, b;
  FaultProxy proxy(b.port());
  const std::vector<std::string> specs{a.spec(), proxy.spec()};
  const auto on_a = keys_on(0, 20, specs);
  const auto on_b = keys_on(1, 60, specs);
  memcache::Options options = fast_options();
  options.dead_retry = 60s;            // once dead, b stays dead for the test
  options.max_requests_in_flight = 8;  // most of b's calls wait, unwritten, behind the stall
  asio::io_context io;
  memcache::AsyncClient mc(io, {specs[0], specs[1]}, options);
  Outcomes warm;
  timed_gets(mc, on_a, warm);
  timed_gets(mc, on_b, warm);
  run(io);
  REQUIRE(warm.right == 80);

  proxy.stall();
  Outcomes stalled, healthy;
  timed_gets(mc, on_b, stalled);
  // Calls to a, started all along the stall, are never held by it.
  Spawner spawner(io);
  spawner.spawn([&]() -> awaitable<void> {
    asio::steady_timer timer(io);
    for (int round = 0; round < 10; ++round) {
      for (const auto& k : on_a) {
        const auto start = Clock::now();
        auto [ec, v] = co_await mc.async_get(k, use_tuple);
        healthy.longest_ms = std::max(healthy.longest_ms, ms_since(start));
        if (ec) {
          ++healthy.errors[ec];
        } else if (v == OptStr(value_for(k))) {
          ++healthy.right;
        } else {
          ++healthy.wrong;
        }
      }
      timer.expires_after(30ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
  });
  settle(io);
  run(io);
  spawner.rethrow();
  INFO("longest call to the stalled server: " << stalled.longest_ms << " ms; to the healthy one: " << healthy.longest_ms
                                              << " ms");
  // The 8 written fail with timed_out; the 52 queued behind them move on
  // (b is marked dead: rehashed to a, where they are misses) or time out.
  CHECK(stalled.completed() == 60);
  CHECK(stalled.wrong == 0);
  CHECK(stalled.errors[code(errc::timed_out)] >= 8);
  CHECK(stalled.longest_ms < timeout_ms + slack_ms);
  CHECK(healthy.right == 200);
  CHECK(healthy.errors.empty());
  CHECK(healthy.longest_ms < timeout_ms + slack_ms);
}

TEST_CASE("a server whose replies trickle in: each call is bounded by its own deadline", "[async][bounds]") {
  // A slow link (the 1 Mbit): replies keep coming, but too slowly for
  // the calls behind them. Each call still ends within socket_timeout of its
  // write, where a deadline renewed by every reply let them wait seconds.
  MemcachedServer server;
  FaultProxy proxy(server.port());
  std::vector<std::string> keys;
  {
    memcache::Client sync({server.spec()}, steady_options());
    for (int i = 0; i < 300; ++i) {
      keys.push_back("slow" + std::to_string(i));
      REQUIRE(sync.set(keys.back(), value_for(keys.back()) + std::string(100, 'x')));
    }
  }
  memcache::Options options = fast_options();
  options.dead_retry = 0s;
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);
  proxy.throttle(256, 20ms);  // ~12 KB/s: 300 replies take ~3 s
  Outcomes out;
  for (auto& k : keys) {
    const auto start = Clock::now();
    mc.async_get(k, [&out, start](std::error_code ec, std::optional<std::string> v) {
      out.longest_ms = std::max(out.longest_ms, ms_since(start));
      if (ec) {
        ++out.errors[ec];
      } else if (v) {
        ++out.right;
      } else {
        ++out.miss;
      }
    });
  }
  settle(io);
  run(io);
  INFO("longest call: " << out.longest_ms << " ms; " << out.right << " answered");
  CHECK(out.completed() == 300);
  CHECK(out.errors[code(errc::timed_out)] > 0);
  CHECK(out.longest_ms < timeout_ms + slack_ms);
}

TEST_CASE("async_get_multi with one server stalled: timed_out, and the other server's values", "[async][bounds]") {
  MemcachedServer a, b;
  FaultProxy proxy(b.port());
  const std::vector<std::string> specs{a.spec(), proxy.spec()};
  const auto on_a = keys_on(0, 10, specs);
  const auto on_b = keys_on(1, 10, specs);
  std::vector<std::string> all = on_a;
  all.insert(all.end(), on_b.begin(), on_b.end());
  asio::io_context io;
  memcache::AsyncClient mc(io, {specs[0], specs[1]}, fast_options());
  proxy.stall();
  std::error_code ec;
  std::unordered_map<std::string, std::string> found;
  const auto start = Clock::now();
  mc.async_get_multi(all, [&](std::error_code e, std::unordered_map<std::string, std::string> m) {
    ec = e;
    found = std::move(m);
  });
  run(io);
  CHECK(ms_since(start) < timeout_ms + slack_ms);
  CHECK(ec == code(errc::timed_out));
  CHECK(found.size() == on_a.size());
  for (const auto& k : on_a) CHECK(found[k] == value_for(k));

  // With nothing failing, no error.
  proxy.resume();
  memcache::AsyncClient fresh(io, {specs[0], specs[1]}, steady_options());
  ec = code(errc::protocol_error);
  fresh.async_get_multi(all, [&](std::error_code e, std::unordered_map<std::string, std::string> m) {
    ec = e;
    found = std::move(m);
  });
  run(io);
  CHECK(ec == std::error_code());
  CHECK(found.size() == all.size());
}

TEST_CASE("an error line answers one request: the others and the connection go on", "[async][bounds]") {
  MemcachedServer server;  // items up to memcached's default 1 MB
  FaultProxy proxy(server.port());
  memcache::Options options = steady_options();
  options.server_max_value_length = 4 * 1024 * 1024;  // so the client sends what memcached refuses
  LogCapture log;
  options.debug = true;
  options.log = log.sink();
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);

  SECTION("SERVER_ERROR object too large, among pipelined sets and gets") {
    const std::string too_large(2 * 1024 * 1024, 'x');
    std::map<std::string, std::error_code> errors;
    std::map<std::string, bool> stored;
    for (int i = 0; i < 20; ++i) {
      const std::string k = "k" + std::to_string(i);
      const std::string& v = i == 7 ? too_large : value_for(k);
      mc.async_set(k, v, [&errors, &stored, k](std::error_code ec, bool ok) {
        errors[k] = ec;
        stored[k] = ok;
      });
    }
    run(io);
    for (int i = 0; i < 20; ++i) {
      const std::string k = "k" + std::to_string(i);
      INFO(k);
      CHECK(errors[k] == (i == 7 ? code(errc::server_error) : std::error_code()));
      CHECK(stored[k] == (i != 7));
    }
    CHECK(log.contains("object too large"));
    Outcomes after;
    timed_gets(mc, {"k0", "k6", "k8", "k19"}, after);
    run(io);
    CHECK(after.right == 4);
    CHECK(proxy.accepted() == 1);  // one connection all along
  }
  SECTION("SERVER_ERROR to a get (a proxy's backend is down)") {
    REQUIRE(memcache::Client({server.spec()}, steady_options()).set("g", value_for("g")));
    proxy.reply_next("SERVER_ERROR backend down\r\n");
    std::error_code ec;
    std::optional<std::string> v = "unset";
    mc.async_get("g", [&](std::error_code e, std::optional<std::string> got) {
      ec = e;
      v = std::move(got);
    });
    run(io);
    CHECK(ec == code(errc::server_error));
    CHECK_FALSE(v);
    CHECK(log.contains("backend down"));
    Outcomes after;
    timed_gets(mc, {"g"}, after);
    run(io);
    CHECK(after.right == 1);
    CHECK(proxy.accepted() == 1);
  }
  SECTION("SERVER_ERROR to a batch of gets: each get is asked again alone") {
    // A proxy answers a whole multi-key get SERVER_ERROR when one of its keys
    // is on a dead backend; the batch the client made must not fail them all.
    // Over meta there is no such batch (each mg is answered alone).
    if (memcache::test::test_protocol() == memcache::Protocol::meta) return;
    memcache::Client sync({server.spec()}, steady_options());
    std::vector<std::string> keys;
    for (int i = 0; i < 10; ++i) {
      keys.push_back("b" + std::to_string(i));
      REQUIRE(sync.set(keys.back(), value_for(keys.back())));
    }
    // On a fresh connection the ten gets queue while it connects, then go
    // out as one batch, in one chunk.
    proxy.reply_next("SERVER_ERROR backend down\r\n");  // the batch never reaches memcached
    Outcomes out;
    timed_gets(mc, keys, out);
    run(io);
    CHECK(proxy.faults_injected() == 1);
    CHECK(out.right == 10);
    CHECK(proxy.accepted() == 1);
  }
}

TEST_CASE("through twemproxy with one backend down, only that backend's keys fail", "[async][bounds][proxy]") {
  MemcachedServer a, b, c;
  Nutcracker proxy({{a.spec(), b.spec(), c.spec()}});
  std::vector<std::string> keys;
  {
    memcache::Client sync({proxy.spec()}, memcache::test::text_protocol(steady_options()));
    for (int i = 0; i < 300; ++i) {
      keys.push_back("tw" + std::to_string(i));
      REQUIRE(sync.set(keys.back(), value_for(keys.back())));
    }
  }
  // Which keys live on c, asked of c itself.
  std::size_t on_c = 0;
  std::string a_key_on_c;
  {
    memcache::Client direct({c.spec()}, steady_options());
    for (const auto& k : keys) {
      if (direct.get(k)) {
        ++on_c;
        a_key_on_c = k;
      }
    }
  }
  REQUIRE(on_c > 0);
  REQUIRE(on_c < keys.size());
  c.kill();
  {
    // Down for a while, as in the issue: twemproxy has seen its connection
    // to c close (until then it may drop its clients' connections too).
    memcache::Client sync({proxy.spec()}, memcache::test::text_protocol(steady_options()));
    for (int i = 0; i < 3; ++i) CHECK_FALSE(sync.get(a_key_on_c));
  }

  memcache::Options options = memcache::test::text_protocol(fast_options());  // twemproxy speaks only text
  options.socket_timeout = 2s;  // twemproxy answers in time; only its SERVER_ERROR is under test
  options.dead_retry = 0s;
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);
  // How each key's get ended, and the longest call.
  std::map<std::string, std::error_code> outcome;
  std::size_t wrong = 0;
  long long longest_ms = 0;
  auto get_each = [&](const std::vector<std::string>& which) {
    for (const auto& k : which) {
      const auto start = Clock::now();
      mc.async_get(k, [&, k, start](std::error_code ec, std::optional<std::string> v) {
        longest_ms = std::max(longest_ms, ms_since(start));
        outcome[k] = ec;
        if (!ec && v != OptStr(value_for(k))) ++wrong;
      });
    }
    settle(io);
    run(io);
  };
  get_each(keys);  // 300 at once: batched, and each batch meets the dead backend
  // twemproxy 0.5.0 itself now and then closes a client's connection in this
  // state (connection_failed for what was in flight); an application asks
  // again, and so does the test, so that only SERVER_ERROR is left to count.
  std::size_t dropped_rounds = 0;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> again;
    for (const auto& [k, ec] : outcome) {
      if (ec == code(errc::connection_failed)) again.push_back(k);
    }
    if (again.empty()) break;
    ++dropped_rounds;
    get_each(again);
  }
  std::map<std::error_code, std::size_t> counts;
  for (const auto& [k, ec] : outcome) ++counts[ec];
  INFO(on_c << " keys on the dead backend; longest call " << longest_ms << " ms; connection dropped by twemproxy in "
            << dropped_rounds << " round(s)");
  CHECK(outcome.size() == keys.size());
  CHECK(wrong == 0);
  CHECK(counts[std::error_code()] == keys.size() - on_c);
  CHECK(counts[code(errc::server_error)] == on_c);
}
