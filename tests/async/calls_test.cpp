// Every call of the sync Client as an async operation, with each kind of
// completion token: results equal what the sync client sees.

#include <asio/experimental/deferred.hpp>
#include <asio/use_future.hpp>

#include <map>
#include <thread>

#include "async_test.hpp"

using namespace atest;

TEST_CASE("async calls with plain callbacks give the sync calls' results", "[async]") {
  MemcachedServer a, b;
  asio::io_context io;
  memcache::AsyncClient mc(io, {a.spec(), b.spec()}, steady_options());
  memcache::Client sync({a.spec(), b.spec()}, steady_options());

  std::vector<std::string> steps;
  auto expect = [&](std::string step) {
    return [&steps, step](std::error_code ec, auto&&...) {
      CHECK_FALSE(ec);
      steps.push_back(step);
    };
  };

  mc.async_set("user_001", "alice", 300, [&](std::error_code ec, bool stored) {
    CHECK_FALSE(ec);
    CHECK(stored);
    steps.push_back("set");
  });
  mc.async_set("count", 41, expect("set count"));
  mc.async_add("user_001", "bob", [&](std::error_code ec, bool stored) {
    CHECK_FALSE(ec);
    CHECK_FALSE(stored);  // already there
    steps.push_back("add");
  });
  mc.async_replace("missing", "x", [&](std::error_code ec, bool stored) {
    CHECK_FALSE(ec);
    CHECK_FALSE(stored);
    steps.push_back("replace");
  });
  run(io);
  CHECK(steps.size() == 4);
  CHECK(sync.get("user_001") == OptStr("alice"));
  CHECK(sync.get<int>("count") == std::optional<int>(41));

  mc.async_append("user_001", "!", expect("append"));
  mc.async_prepend("user_001", ">", expect("prepend"));
  mc.async_incr("count", [&](std::error_code ec, std::optional<std::uint64_t> n) {
    CHECK_FALSE(ec);
    CHECK(show(n) == "42");
  });
  mc.async_decr("count", 50, [&](std::error_code ec, std::optional<std::uint64_t> n) {
    CHECK_FALSE(ec);
    CHECK(show(n) == "0");  // memcached stops at 0
  });
  mc.async_incr("missing", [&](std::error_code ec, std::optional<std::uint64_t> n) {
    CHECK_FALSE(ec);
    CHECK(n == std::nullopt);
  });
  run(io);
  CHECK(sync.get("user_001") == OptStr(">alice!"));

  mc.async_get("user_001", [&](std::error_code ec, std::optional<std::string> v) {
    CHECK_FALSE(ec);
    CHECK(v == OptStr(">alice!"));
  });
  mc.async_get<int>("count", [&](std::error_code ec, std::optional<int> v) {
    CHECK_FALSE(ec);
    CHECK(v == std::optional<int>(0));
  });
  mc.async_get("missing", [&](std::error_code ec, std::optional<std::string> v) {
    CHECK_FALSE(ec);
    CHECK(v == std::nullopt);
  });
  mc.async_get<int>("user_001", [&](std::error_code ec, std::optional<int> v) {
    CHECK(ec == code(errc::bad_value));  // text is not an int
    CHECK(v == std::nullopt);
  });
  run(io);

  // gets_cas / cas_with: a stale unique is refused.
  std::uint64_t unique = 0;
  mc.async_gets_cas("user_001", [&](std::error_code ec, std::optional<memcache::CasValue<std::string>> v) {
    REQUIRE_FALSE(ec);
    REQUIRE(v.has_value());
    CHECK(v->value == ">alice!");
    unique = v->cas_unique;
  });
  run(io);
  CHECK(unique != 0);
  bool first = false, second = true;
  mc.async_cas_with("user_001", "carol", unique, [&](std::error_code ec, bool stored) {
    CHECK_FALSE(ec);
    first = stored;
    mc.async_cas_with("user_001", "dave", unique, [&](std::error_code ec2, bool stored2) {
      CHECK_FALSE(ec2);
      second = stored2;
    });
  });
  run(io);
  CHECK(first);
  CHECK_FALSE(second);
  CHECK(sync.get("user_001") == OptStr("carol"));

  // cache_cas: gets remembers the unique, cas uses it.
  mc.async_gets("user_001", [&](std::error_code ec, std::optional<std::string> v) {
    CHECK_FALSE(ec);
    CHECK(v == OptStr("carol"));
  });
  run(io);
  sync.set("user_001", "eve");
  mc.async_cas("user_001", "frank", [&](std::error_code ec, bool stored) {
    CHECK_FALSE(ec);
    CHECK(stored);  // cache_cas is off by default: cas is a plain set
  });
  run(io);
  CHECK(sync.get("user_001") == OptStr("frank"));

  mc.async_touch("user_001", 100, [&](std::error_code ec, bool touched) {
    CHECK_FALSE(ec);
    CHECK(touched);
  });
  mc.async_del("user_001", [&](std::error_code ec, bool deleted) {
    CHECK_FALSE(ec);
    CHECK(deleted);
  });
  mc.async_del("user_001", [&](std::error_code ec, bool deleted) {
    CHECK_FALSE(ec);
    CHECK_FALSE(deleted);
  });
  run(io);
  CHECK(sync.get("user_001") == std::nullopt);
}

TEST_CASE("async multi calls over two servers", "[async]") {
  MemcachedServer a, b;
  asio::io_context io;
  memcache::AsyncClient mc(io, {a.spec(), b.spec()}, steady_options());
  memcache::Client sync({a.spec(), b.spec()}, steady_options());

  std::map<std::string, std::string> items;
  std::vector<std::string> keys;
  for (int i = 0; i < 250; ++i) {
    const std::string k = "key" + std::to_string(i);
    items[k] = value_for(k);
    keys.push_back(k);
  }
  mc.async_set_multi(items, 0, "p:", [&](std::error_code ec, std::vector<std::string> not_stored) {
    CHECK_FALSE(ec);
    CHECK(not_stored.empty());
  });
  run(io);
  // Both servers hold some: the keys really were spread.
  CHECK(server_stat(a, "curr_items") > 50);
  CHECK(server_stat(b, "curr_items") > 50);
  CHECK(sync.get_multi(keys, "p:").size() == 250);

  keys.push_back("nobody");
  std::unordered_map<std::string, std::string> got;
  mc.async_get_multi(keys, "p:", [&](std::error_code ec, std::unordered_map<std::string, std::string> found) {
    CHECK_FALSE(ec);
    got = std::move(found);
  });
  run(io);
  CHECK(got.size() == 250);
  for (const auto& [k, v] : items) CHECK(got[k] == v);
  CHECK(got.count("nobody") == 0);

  std::map<std::string, std::string> visited;
  mc.async_get_multi_each(
      keys, [&](std::string_view key, memcache::Value::View v) { visited[std::string(key)] = std::string(v.bytes); },
      "p:",
      [&](std::error_code ec, std::size_t n) {
        CHECK_FALSE(ec);
        CHECK(n == 250);
      });
  run(io);
  CHECK(visited == items);
  // A visitor that throws: not called again, the call completes with bad_value.
  int calls = 0;
  std::error_code thrown;
  mc.async_get_multi_each(
      keys,
      [&](std::string_view, memcache::Value::View) {
        ++calls;
        throw std::runtime_error("stop");
      },
      "p:", [&](std::error_code ec, std::size_t) { thrown = ec; });
  run(io);
  CHECK(calls == 1);
  CHECK(thrown == code(errc::bad_value));

  mc.async_get_multi(std::vector<std::string>{},
                     [&](std::error_code ec, std::unordered_map<std::string, std::string> found) {
                       CHECK_FALSE(ec);
                       CHECK(found.empty());
                     });
  bool reached = false;
  mc.async_delete_multi(std::vector<std::string>{"key1", "key2", "key3"}, 0, "p:", [&](std::error_code ec, bool all) {
    CHECK_FALSE(ec);
    reached = all;
  });
  run(io);
  CHECK(reached);
  CHECK(sync.get_multi(keys, "p:").size() == 247);

  memcache::ServerStats stats;
  mc.async_get_stats([&](std::error_code ec, memcache::ServerStats s) {
    CHECK_FALSE(ec);
    stats = std::move(s);
  });
  run(io);
  REQUIRE(stats.size() == 2);
  const auto sync_stats = sync.get_stats();
  REQUIRE(sync_stats.size() == 2);
  CHECK(stats[0].first == sync_stats[0].first);
  CHECK(stats[1].first == sync_stats[1].first);
  for (const auto& [name, map] : stats) {
    CHECK(map.count("pid") == 1);
    CHECK(map.count("curr_items") == 1);
  }

  bool flushed = false;
  mc.async_flush_all([&](std::error_code ec, bool ok) {
    CHECK_FALSE(ec);
    flushed = ok;
  });
  run(io);
  CHECK(flushed);
  CHECK(sync.get_multi(keys, "p:").empty());
}

TEST_CASE("async calls with use_future, deferred and use_awaitable", "[async]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, steady_options());
  std::thread runner;
  std::future<std::optional<std::string>> bad;
  {
    auto guard = asio::make_work_guard(io);
    runner = std::thread([&] { io.run(); });
    // use_future: the error_code becomes an exception, the result the value.
    std::future<bool> stored = mc.async_set("f", "future", asio::use_future);
    CHECK(stored.get());
    std::future<std::optional<std::string>> got = mc.async_get("f", asio::use_future);
    CHECK(got.get() == OptStr("future"));
    // A bad key fails the future with errc::bad_key.
    bad = mc.async_get("has space", asio::use_future);
    bad.wait();
  }
  // Rethrown only once the io thread is done with the promise: TSan cannot see
  // the exception's reference count inside libstdc++.
  runner.join();
  try {
    bad.get();
    FAIL("no exception");
  } catch (const std::system_error& e) {
    CHECK(e.code() == code(errc::bad_key));
  }

  // deferred: nothing happens until the deferred operation is started.
  auto op = mc.async_set("d", "deferred", asio::experimental::deferred);
  run(io);
  memcache::Client sync({server.spec()}, steady_options());
  CHECK(sync.get("d") == std::nullopt);
  bool stored = false;
  std::move(op)([&](std::error_code ec, bool s) {
    CHECK_FALSE(ec);
    stored = s;
  });
  run(io);
  CHECK(stored);
  CHECK(sync.get("d") == OptStr("deferred"));

  Spawner spawner(io);
  spawner.spawn([&]() -> awaitable<void> {
    // use_awaitable throws on error; as_tuple hands the error_code over.
    CHECK(co_await mc.async_set("c", 7, 0, asio::use_awaitable));
    auto n = co_await mc.async_incr("c", 5, asio::use_awaitable);
    CHECK(show(n) == "12");
    auto [ec, v] = co_await mc.async_get("c", use_tuple);
    CHECK_FALSE(ec);
    CHECK(v == OptStr("12"));
    auto [ec2, missing] = co_await mc.async_get("nothing-here", use_tuple);
    CHECK_FALSE(ec2);
    CHECK(missing == std::nullopt);
  });
  run(io);
  spawner.rethrow();
  CHECK(spawner.finished() == 1);
}

TEST_CASE("async bad input: keys the sync client would reject fail with bad_key", "[async]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, steady_options());
  std::vector<std::error_code> codes;
  auto record = [&](std::error_code ec, auto&&...) { codes.push_back(ec); };
  mc.async_get("a b", record);
  mc.async_set(std::string(251, 'k'), "v", record);
  mc.async_incr("ctl\x01", record);
  mc.async_get_multi(std::vector<std::string>{"ok", "not ok"}, record);
  mc.async_set_multi(std::map<std::string, std::string>{{"bad key", "v"}}, record);
  run(io);
  REQUIRE(codes.size() == 5);
  for (const auto& ec : codes) CHECK(ec == code(errc::bad_key));
  CHECK(codes[0].message().find("key") != std::string::npos);
  CHECK(code(errc::bad_key).category().name() == std::string("memcache"));
}
