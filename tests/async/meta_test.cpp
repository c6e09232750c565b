// The async client over the meta protocol: every call with a meta form, gat /
// gats, and the opaque self-check under a pipeline (a reply that claims to
// answer another request fails the requests in flight, never hands one of
// them another's value).

#include <map>
#include <unordered_map>

#include "async_test.hpp"

using namespace atest;

namespace {

memcache::Options meta_options() {
  memcache::Options o = steady_options();
  o.protocol = memcache::Protocol::meta;
  o.cache_cas = true;
  return o;
}

// gat and gats on "k", which holds `before` (cache_cas on): both read it and
// renew it, the cas gats took stores `after`, and a gat with a past expiry
// reads `after` and expires it.
awaitable<void> gat_round(memcache::AsyncClient& mc, std::string before, std::string after) {
  const auto tok = asio::use_awaitable;
  OptStr v = co_await mc.async_gat("k", 100, tok);
  CHECK(v == OptStr(before));
  v = co_await mc.async_gats("k", 100, tok);
  CHECK(v == OptStr(before));
  const bool ok = co_await mc.async_cas("k", after, tok);
  CHECK(ok);
  v = co_await mc.async_gat("k", -1, tok);
  CHECK(v == OptStr(after));
  v = co_await mc.async_get("k", tok);
  CHECK(v == std::nullopt);
}

}  // namespace

TEST_CASE("async: every call with a meta form, over meta", "[async][meta]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, meta_options());
  Spawner spawner(io);
  spawner.spawn([&]() -> awaitable<void> {
    // Results are taken into variables before they are checked: GCC 12
    // miscompiles co_await inside Catch's assertion macros.
    const auto tok = asio::use_awaitable;
    bool ok = co_await mc.async_set("k", std::string("v1"), 300, tok);
    CHECK(ok);
    OptStr v = co_await mc.async_get("k", tok);
    CHECK(v == OptStr("v1"));
    v = co_await mc.async_get("absent", tok);
    CHECK(v == std::nullopt);
    ok = co_await mc.async_add("k", std::string("v2"), tok);
    CHECK_FALSE(ok);
    ok = co_await mc.async_replace("k", std::string("v3"), tok);
    CHECK(ok);
    ok = co_await mc.async_append("k", std::string("-end"), tok);
    CHECK(ok);
    ok = co_await mc.async_prepend("k", std::string("start-"), tok);
    CHECK(ok);
    v = co_await mc.async_gets("k", tok);
    CHECK(v == OptStr("start-v3-end"));
    ok = co_await mc.async_cas("k", std::string("cas"), tok);
    CHECK(ok);
    ok = co_await mc.async_cas("k", std::string("cas again"), tok);
    CHECK_FALSE(ok);
    ok = co_await mc.async_set("n", 10, tok);
    CHECK(ok);
    std::optional<std::uint64_t> n = co_await mc.async_incr("n", 5, tok);
    CHECK(n == std::optional<std::uint64_t>(15));
    n = co_await mc.async_decr("n", 100, tok);
    CHECK(n == std::optional<std::uint64_t>(0));
    ok = co_await mc.async_touch("k", 100, tok);
    CHECK(ok);
    co_await gat_round(mc, "cas", "after gats");
    v = co_await mc.async_gat("k", 100, tok);
    CHECK(v == std::nullopt);
    const std::map<std::string, std::string> batch = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
    const auto not_stored = co_await mc.async_set_multi(batch, tok);
    CHECK(not_stored.empty());
    const std::vector<std::string> asked = {"a", "b", "x", "c"};
    const std::vector<std::string> two = {"a", "b"};
    const std::unordered_map<std::string, std::string> expected = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
    const auto found = co_await mc.async_get_multi(asked, tok);
    CHECK(found == expected);
    ok = co_await mc.async_delete_multi(two, tok);
    CHECK(ok);
    ok = co_await mc.async_del("c", tok);
    CHECK(ok);
    ok = co_await mc.async_del("c", tok);
    CHECK_FALSE(ok);
    const auto left = co_await mc.async_get_multi(asked, tok);
    CHECK(left.empty());
  });
  run(io);
  spawner.rethrow();
}

TEST_CASE("async: gat and gats over text", "[async]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::Options options = steady_options();
  options.protocol = memcache::Protocol::text;
  options.cache_cas = true;
  memcache::AsyncClient mc(io, {server.spec()}, options);
  Spawner spawner(io);
  spawner.spawn([&]() -> awaitable<void> {
    const auto tok = asio::use_awaitable;
    const bool ok = co_await mc.async_set("k", std::string("v"), tok);
    CHECK(ok);
    co_await gat_round(mc, "v", "w");
  });
  run(io);
  spawner.rethrow();
}

TEST_CASE("async meta: a reply with another request's opaque token fails the pipeline, never a wrong value",
          "[async][meta]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Client sync({server.spec()}, steady_options());
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) {
    keys.push_back("key" + std::to_string(i));
    REQUIRE(sync.set(keys.back(), value_for(keys.back())));
  }
  asio::io_context io;
  memcache::Options options = meta_options();
  options.dead_retry = 0s;
  memcache::AsyncClient mc(io, {proxy.spec()}, options);

  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    proxy.rewrite_next_opaque();
    std::size_t right = 0, wrong = 0, miss = 0, failed = 0;
    for (const auto& k : keys) {
      mc.async_get(k, [&, k](std::error_code ec, std::optional<std::string> v) {
        if (ec) {
          ++failed;
        } else if (!v) {
          ++miss;
        } else if (*v == value_for(k)) {
          ++right;
        } else {
          ++wrong;
        }
      });
    }
    run(io);
    CHECK(wrong == 0);
    CHECK(miss == 0);  // every key is there: a failure is an error, not a miss
    CHECK(failed >= 1);
    CHECK(right + failed == keys.size());
    CHECK(proxy.faults_injected() == static_cast<std::size_t>(round + 1));

    // Then everything works, on a new connection.
    std::size_t after = 0;
    for (const auto& k : keys) {
      mc.async_get(k, [&, k](std::error_code ec, std::optional<std::string> v) {
        if (!ec && v == OptStr(value_for(k))) ++after;
      });
    }
    run(io);
    CHECK(after == keys.size());
  }
}
