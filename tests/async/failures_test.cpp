// Stalled, killed, lying and dead servers under the async client: in-flight
// operations fail with an error, never with another operation's reply, and
// the next operations work.

#include <algorithm>
#include <map>
#include <thread>

#include "async_test.hpp"

using namespace atest;

namespace {

std::vector<std::string> stored_keys(const std::string& spec, std::size_t n) {
  memcache::Client sync({spec}, steady_options());
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) {
    keys.push_back("key" + std::to_string(i));
    REQUIRE(sync.set(keys.back(), value_for(keys.back())));
  }
  return keys;
}

memcache::Options retry_at_once() {
  memcache::Options o = fast_options();
  o.dead_retry = 0s;
  return o;
}

// For tests in which nothing waits for a timeout (servers killed, errors
// answered): long ones, so that a loaded machine fails no call.
memcache::Options steady_retry_at_once() {
  memcache::Options o = steady_options();
  o.dead_retry = 0s;
  return o;
}

}  // namespace

TEST_CASE("a server stalled mid-pipeline fails exactly the operations in flight, in time", "[async]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  const auto keys = stored_keys(server.spec(), 50);
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, retry_at_once());

  // Warm (a loaded machine may time this out before the test begins: then
  // again, on a new connection).
  REQUIRE(succeeds_within_tries([&] {
    Tally before;
    get_all(mc, keys, before);
    run(io);
    return before.right == 50;
  }));
  const std::size_t accepted = proxy.accepted();

  proxy.stall();
  Tally stalled;
  get_all(mc, keys, stalled);
  const auto start = Clock::now();
  run(io);
  CHECK(ms_since(start) < timeout_ms + slack_ms);
  CHECK(stalled.errors[code(errc::timed_out)] == 50);
  CHECK(stalled.completed() == 50);

  // The stalled connection is gone; its late replies never reach anyone.
  proxy.resume();
  Tally after;
  get_all(mc, keys, after);
  run(io);
  CHECK(after.right == 50);
  CHECK(after.wrong == 0);
  CHECK(proxy.accepted() == accepted + 1);
}

TEST_CASE("a server killed mid-pipeline fails the operations in flight, restarted, it answers misses", "[async]") {
  MemcachedServer server;
  const auto keys = stored_keys(server.spec(), 40);
  asio::io_context io;
  memcache::Options options = steady_retry_at_once();  // the kill, not the timeout, ends them
  memcache::AsyncClient mc(io, {server.spec()}, options);

  Tally warm;
  get_all(mc, keys, warm);
  run(io);
  REQUIRE(warm.right == 40);

  server.pause();
  Tally in_flight;
  get_all(mc, keys, in_flight);
  io.restart();
  io.run_for(100ms);  // written; the server is stopped
  CHECK(in_flight.completed() == 0);
  const auto start = Clock::now();
  server.kill();
  run(io);
  CHECK(ms_since(start) < 2000);
  CHECK(in_flight.errors[code(errc::connection_failed)] == 40);
  CHECK(in_flight.completed() == 40);

  // Dead and not restarted: no server.
  Tally dead;
  get_all(mc, {"key1"}, dead);
  run(io);
  CHECK(dead.errors.size() == 1);
  CHECK(dead.errors.begin()->first != std::error_code());

  server.restart();
  Tally empty;
  get_all(mc, keys, empty);
  run(io);
  CHECK(empty.miss == 40);
}

TEST_CASE("a lying server fails the call, never hands over a wrong value", "[async]") {
  const std::string lie = GENERATE(std::string("VALUE someone-else 0 5\r\nhello\r\nEND\r\n"),  // a key nobody asked for
                                   std::string("VALUE key0 0 99999999999\r\n"),                // beyond any length
                                   std::string("VALUE key0 0 5\r\nhelloXXEND\r\n"),            // no terminator
                                   std::string("VALUE key0 0 abc\r\n"),                        // not a number
                                   std::string("WHAT IS THIS\r\n"),                            // unknown reply line
                                   std::string("\x01\x02\xff\xfe garbage\r\n"),                // binary garbage
                                   std::string("END\r\nEND\r\nEND\r\n"),   // replies nobody asked for
                                   std::string("VALUE key0 0 3\r\nabc"));  // cut mid-value
  INFO("lie: " << lie);
  MemcachedServer server;
  FaultProxy proxy(server.port());
  const auto keys = stored_keys(server.spec(), 20);
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, retry_at_once());

  proxy.reply_next(lie, false, lie.back() == 'c');
  Tally lied;
  get_all(mc, keys, lied);
  run(io);
  CHECK(lied.completed() == 20);
  CHECK(lied.wrong == 0);
  CHECK(lied.right < 20);  // the lie reached someone: a miss or an error, never a wrong value
  CHECK(proxy.faults_injected() == 1);

  Tally next;
  get_all(mc, keys, next);
  run(io);
  CHECK(next.right == 20);
}

TEST_CASE("errors answered to noreply requests do not shift later replies", "[async]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Options options = steady_retry_at_once();
  options.check_keys = false;  // bad keys reach the server, which rejects them
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);
  Spawner spawner(io);
  std::size_t wrong = 0;
  spawner.spawn([&]() -> awaitable<void> {
    co_await mc.async_set("k", value_for("k"), asio::use_awaitable);
    co_await mc.async_set("n", 100, asio::use_awaitable);
    std::uint64_t n = 100;
    const std::string long_key(300, 'L');
    for (int round = 0; round < 20; ++round) {
      // memcached answers ERROR to these despite noreply.
      co_await mc.async_set(long_key, "x", 0, 0, true, asio::use_awaitable);
      if (co_await mc.async_get("k", asio::use_awaitable) != OptStr(value_for("k"))) ++wrong;
      co_await mc.async_set("a b", "x", 0, 0, true, asio::use_awaitable);
      co_await mc.async_incr("a b", 1, true, asio::use_awaitable);
      if (co_await mc.async_incr("n", asio::use_awaitable) != std::optional<std::uint64_t>(++n)) ++wrong;
      // And an error injected after a noreply set that went through.
      proxy.reply_next("SERVER_ERROR out of memory storing object\r\n", true);
      co_await mc.async_set("k", value_for("k"), 0, 0, true, asio::use_awaitable);
      auto [ec, v] = co_await mc.async_get("k", use_tuple);
      if (!ec && v != OptStr(value_for("k"))) ++wrong;
      if (co_await mc.async_incr("n", asio::use_awaitable) != std::optional<std::uint64_t>(++n)) ++wrong;
    }
  });
  run(io);
  spawner.rethrow();
  CHECK(spawner.finished() == 1);
  CHECK(wrong == 0);
  CHECK(proxy.faults_injected() == 20);
}

TEST_CASE("a dead server's keys go to the live ones, and come back after dead_retry", "[async]") {
  MemcachedServer a, b, c;
  memcache::Options options = steady_options();
  options.dead_retry = 1s;
  asio::io_context io;
  memcache::AsyncClient mc(io, {a.spec(), b.spec(), c.spec()}, options);
  c.kill();

  std::size_t stored = 0;
  for (int i = 0; i < 150; ++i) {
    mc.async_set("d" + std::to_string(i), "v", [&](std::error_code ec, bool ok) { stored += !ec && ok; });
  }
  run(io);
  CHECK(stored == 150);  // rerouted, as python-memcached rehashes past a dead server
  CHECK(server_stat(a, "curr_items") + server_stat(b, "curr_items") == 150);

  c.restart();
  std::this_thread::sleep_for(1100ms);
  // One call at a time: the first routed to c probes it (calls issued
  // meanwhile keep skipping it), and once it answers every call uses it.
  stored = 0;
  for (int i = 0; i < 150; ++i) {
    mc.async_set("e" + std::to_string(i), "v", [&](std::error_code ec, bool ok) { stored += !ec && ok; });
    run(io);
  }
  CHECK(stored == 150);
  CHECK(server_stat(c, "curr_items") > 20);  // used again
}

TEST_CASE("flush_on_reconnect: a server back from the dead is flushed before it is used again", "[async]") {
  const bool flush = GENERATE(false, true);
  INFO("flush_on_reconnect " << flush);
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Options options = fast_options();
  options.flush_on_reconnect = flush;
  options.dead_retry = 1s;
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);
  mc.async_set("k", value_for("k"), [](std::error_code ec, bool stored) { CHECK((!ec && stored)); });
  run(io);

  proxy.stall();  // the next call times out: the server is marked dead
  Tally stalled;
  get_all(mc, {"k"}, stalled);
  run(io);
  CHECK(stalled.errors[code(errc::timed_out)] == 1);
  proxy.pass_through();
  CHECK(probe(server).get("k") == OptStr(value_for("k")));  // still there, untouched while dead

  std::this_thread::sleep_for(1100ms);
  Tally back;
  get_all(mc, {"k"}, back);
  run(io);
  if (flush) {
    CHECK(back.miss == 1);
    CHECK(probe(server).get("k") == std::nullopt);
  } else {
    CHECK(back.right == 1);
  }
}

TEST_CASE("a connection the server closed while idle is replaced, the next calls work", "[async]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  const auto keys = stored_keys(server.spec(), 10);
  asio::io_context io;
  memcache::AsyncClient mc(io, {proxy.spec()}, steady_options());
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    Tally t;
    get_all(mc, keys, t);
    run(io);
    CHECK(t.right == 10);
    proxy.drop_connections();  // EOF waits on the idle connection
    std::this_thread::sleep_for(50ms);
  }
  CHECK(proxy.accepted() == 3);
}

TEST_CASE("a write the server does not take (noreply only, nothing owed) still times out", "[async]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, retry_at_once());
  REQUIRE(succeeds_within_tries([&] {
    Tally warm;
    get_all(mc, {"k"}, warm);
    run(io);
    return warm.miss == 1;
  }));

  server.pause();  // its socket buffers fill, then the write waits
  const std::string big(1000 * 1000, 'x');
  std::vector<std::error_code> codes;
  for (int i = 0; i < 40; ++i) {
    mc.async_set("big" + std::to_string(i), big, 0, 0, true, [&](std::error_code ec, bool) { codes.push_back(ec); });
  }
  // Encoding 40 MB and writing what the kernel takes is CPU work, slow under
  // load and under TSan (this test failed then with a bound of 1.6 s from
  // here); the write's deadline (socket_timeout) runs from its start, so the
  // clock starts once that work is done and the write waits.
  settle(io);
  const auto start = Clock::now();
  run(io);
  CHECK(ms_since(start) < timeout_ms + slack_ms);
  server.resume();
  REQUIRE(codes.size() == 40);
  CHECK(std::count(codes.begin(), codes.end(), code(errc::timed_out)) >= 1);
}

TEST_CASE("a request memcached misreads (check_keys off) never shifts the replies of those pipelined behind it",
          "[async]") {
  MemcachedServer server;
  REQUIRE(probe(server).set("k", value_for("k")));
  memcache::Options options = steady_retry_at_once();
  options.check_keys = false;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, options);
  for (int round = 0; round < 10; ++round) {
    INFO("round " << round);
    const std::string fresh = "fresh" + std::to_string(round);
    std::size_t wrong = 0, completed = 0;
    // One write: memcached answers the first with CLIENT_ERROR and its data
    // line with ERROR.
    mc.async_set("a b", "x", [&](std::error_code ec, bool stored) {
      ++completed;
      if (!ec && stored) ++wrong;
    });
    mc.async_add(fresh, "v", [&](std::error_code ec, bool stored) {
      ++completed;
      if (!ec && !stored) ++wrong;  // it was not there: only "stored" or an error is true
    });
    mc.async_get("k", [&](std::error_code ec, std::optional<std::string> v) {
      ++completed;
      if (!ec && v != OptStr(value_for("k"))) ++wrong;
    });
    mc.async_incr("k", [&](std::error_code ec, std::optional<std::uint64_t> n) {
      ++completed;
      if (!ec && n) ++wrong;  // not a number
    });
    run(io);
    CHECK(completed == 4);
    CHECK(wrong == 0);
  }
}
