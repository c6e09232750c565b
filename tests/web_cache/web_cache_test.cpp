#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include <memcache/memcache.hpp>

#include "http_client.hpp"
#include "memcached_server.hpp"
#include "server_clock.hpp"
#include "server_stat.hpp"
#include "web_cache_process.hpp"

using memcache::test::http_get;
using memcache::test::MemcachedServer;
using memcache::test::send_http;
using memcache::test::WebCacheProcess;

namespace {

// examples/web_cache/slow_database.hpp: every database lookup sleeps this long.
constexpr std::chrono::milliseconds database_delay{200};
const std::string user_7 = R"({"id":"7","name":"user-7"})";

}  // namespace

TEST_CASE("a first GET is a slow miss, the second a fast hit from memcached", "[integration][example]") {
  MemcachedServer server;
  WebCacheProcess web({"--servers", server.spec()});

  auto miss = http_get(web.port(), "/user/7");
  CHECK(miss.status == 200);
  CHECK(miss.headers["X-Cache"] == "MISS");
  CHECK(miss.headers["Content-Type"] == "application/json");
  CHECK(miss.body == user_7);
  CHECK(miss.elapsed >= database_delay);

  auto hit = http_get(web.port(), "/user/7");
  CHECK(hit.status == 200);
  CHECK(hit.headers["X-Cache"] == "HIT");
  CHECK(hit.body == miss.body);
  CHECK(hit.elapsed < miss.elapsed);

  // Stored under the documented key as text (flag 16), as a Python app
  // storing json.dumps(...) would: both can share the entry.
  memcache::Client mc({server.spec()});
  auto stored = mc.get<memcache::Value>("user:7");
  REQUIRE(stored);
  CHECK(stored->flags() == memcache::flags::text);
  CHECK(mc.get<memcache::Text>("user:7") == std::optional<memcache::Text>(user_7));

  CHECK(web.stop() == 0);  // SIGTERM is a clean shutdown
}

TEST_CASE("entries expire after --ttl and are loaded again", "[integration][example]") {
  MemcachedServer server;
  WebCacheProcess web({"--servers", server.spec(), "--ttl", "1"});
  memcache::Client mc({server.spec()});
  auto sets = [&] { return memcache::test::stat_of(memcache::Client({server.spec()}), "cmd_set"); };

  // The 1 s entry expires at memcached's next tick, which may come right
  // after it is stored: start just after a tick, so that it is normally read
  // back within the same second of the server's clock.
  const std::int64_t ticked = memcache::test::after_clock_tick(mc);
  const auto sets_before = sets();
  CHECK(http_get(web.port(), "/user/8").headers["X-Cache"] == "MISS");
  CHECK(sets() == sets_before + 1);  // stored
  const bool read_back = mc.get("user:8").has_value();
  const std::int64_t stored_by = memcache::test::server_time(mc);
  // There while the server's clock has not ticked since; after a tick (a
  // loaded machine) it may be gone already.
  INFO("server clock " << ticked << " before the request, " << stored_by << " after the read");
  CHECK((read_back || stored_by > ticked));
  // Gone once memcached's clock (not the wall clock: a loaded machine runs
  // the server's ticks late) reads 1 s past the store.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (memcache::test::server_time(mc) < stored_by + 1 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_FALSE(mc.get("user:8"));
  CHECK(http_get(web.port(), "/user/8").headers["X-Cache"] == "MISS");
}

TEST_CASE("other paths are 404, malformed requests 400, other methods 405", "[integration][example]") {
  MemcachedServer server;
  WebCacheProcess web({"--servers", server.spec()});

  for (const char* path : {"/", "/user/", "/user/abc", "/users/7", "/user/7/extra"}) {
    INFO(path);
    auto reply = http_get(web.port(), path);
    CHECK(reply.status == 404);
    CHECK(reply.body == R"({"error":"Not Found"})");
    CHECK(reply.headers.count("X-Cache") == 0);
  }
  CHECK(send_http(web.port(), "nonsense\r\n\r\n").status == 400);
  CHECK(send_http(web.port(), "GET user/7 HTTP/1.1\r\n\r\n").status == 400);
  CHECK(send_http(web.port(), "GET /user/7 SPDY/3\r\n\r\n").status == 400);
  CHECK(send_http(web.port(), "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n\r\n").status == 400);
  CHECK(send_http(web.port(), "DELETE /user/7 HTTP/1.1\r\n\r\n").status == 405);
  // A query string does not change the route.
  CHECK(http_get(web.port(), "/user/7?fields=name").body == user_7);
}

TEST_CASE("with memcached down every request is served from the database", "[integration][example]") {
  MemcachedServer server;
  server.kill();  // the port stays reserved, with nothing listening
  WebCacheProcess web({"--servers", server.spec()});

  for (int i = 0; i < 2; ++i) {
    auto reply = http_get(web.port(), "/user/7");
    CHECK(reply.status == 200);
    CHECK(reply.headers["X-Cache"] == "MISS");
    CHECK(reply.body == user_7);
  }
}

TEST_CASE("bad command lines are refused with usage", "[integration][example]") {
  // Starting fails before the banner: the constructor throws.
  CHECK_THROWS(WebCacheProcess({}));
  CHECK_THROWS(WebCacheProcess({"--servers", "127.0.0.1:1", "--ttl", "soon"}));
}
