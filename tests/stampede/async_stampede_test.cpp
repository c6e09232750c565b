// async_get_or_set / async_invalidate: one computation for many concurrent
// calls, stale answers, no server, a compute() that throws.

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <memcache/async_client.hpp>
#include <memcache/memcache.hpp>

#include "child.hpp"
#include "memcached_server.hpp"

namespace {

using memcache::test::MemcachedServer;
using namespace std::chrono_literals;

memcache::Options steady(memcache::StampedeLock protocol = memcache::StampedeLock::meta) {
  memcache::Options o;
  o.socket_timeout = 10s;
  o.connect_timeout = 10s;
  o.stampede_lock = protocol;
  return o;
}

struct Result {
  bool done = false;
  std::error_code ec;
  std::string value;
};

}  // namespace

TEST_CASE("async: 64 concurrent calls on a cold key compute it once", "[stampede][async]") {
  MemcachedServer server;
  auto protocol = GENERATE(memcache::StampedeLock::meta, memcache::StampedeLock::add);
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, steady(protocol));
  memcache::AsyncClient other(io, {server.spec()}, steady(protocol));
  int computed = 0;
  std::vector<Result> results(64);
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto& client = i % 2 ? mc : other;
    client.async_get_or_set(
        "cold",
        [&computed] {
          ++computed;
          return std::string("computed once");
        },
        300,
        [&results, i](std::error_code ec, std::string v) {
          results[i] = {true, ec, std::move(v)};
        });
  }
  io.run_for(60s);
  CHECK(computed == 1);
  for (const auto& r : results) {
    CHECK(r.done);
    CHECK_FALSE(r.ec);
    CHECK(r.value == "computed once");
  }
}

TEST_CASE("async: stale value after async_invalidate, then the recomputed one", "[stampede][async]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, steady());
  memcache::Client sync({server.spec()}, steady());
  REQUIRE(sync.set("page", "v1"));
  std::optional<bool> existed;
  mc.async_invalidate("page", [&](std::error_code, bool e) { existed = e; });
  io.run_for(30s);
  io.restart();
  CHECK(existed == true);

  // Two clients race for the lease; either may win it. The winner's
  // compute() runs on the executor and the winner gets its own value; the
  // other is answered with the stale "v1" at once (or with the winner's value
  // if that was written back first). Exactly one computation runs.
  Result first, second;
  std::vector<std::string> computed;
  auto call = [&](memcache::AsyncClient& client, std::string fresh, Result& out) {
    client.async_get_or_set(
        "page",
        [&computed, fresh] {
          computed.push_back(fresh);
          return fresh;
        },
        [&out](std::error_code ec, std::string v) {
          out = {true, ec, std::move(v)};
        });
  };
  memcache::AsyncClient other(io, {server.spec()}, steady());
  call(mc, "v2 from mc", first);
  call(other, "v2 from other", second);
  io.run_for(30s);
  REQUIRE(computed.size() == 1);
  const std::string fresh = computed.front();
  const bool mc_won = fresh == "v2 from mc";
  const Result& winner = mc_won ? first : second;
  const Result& loser = mc_won ? second : first;
  CHECK(winner.done);
  CHECK_FALSE(winner.ec);
  CHECK(winner.value == fresh);
  CHECK(loser.done);
  CHECK_FALSE(loser.ec);
  CHECK((loser.value == "v1" || loser.value == fresh));
  CHECK(sync.get("page") == fresh);
}

TEST_CASE("async: no server reachable, compute()'s value", "[stampede][async]") {
  asio::io_context io;
  memcache::Options o;
  o.socket_timeout = 200ms;
  o.connect_timeout = 200ms;
  memcache::AsyncClient mc(io, {"127.0.0.1:" + std::to_string(memcache::test::free_port())}, o);
  Result r;
  mc.async_get_or_set(
      "k", [] { return std::string("fresh"); },
      [&](std::error_code ec, std::string v) {
        r = {true, ec, std::move(v)};
      });
  io.run_for(30s);
  CHECK(r.done);
  CHECK_FALSE(r.ec);
  CHECK(r.value == "fresh");
}

TEST_CASE("async: a compute() that throws completes with compute_failed", "[stampede][async]") {
  MemcachedServer server;
  asio::io_context io;
  memcache::AsyncClient mc(io, {server.spec()}, steady());
  Result r;
  mc.async_get_or_set(
      "k", []() -> std::string { throw std::runtime_error("no"); },
      [&](std::error_code ec, std::string v) {
        r = {true, ec, std::move(v)};
      });
  io.run_for(30s);
  io.restart();
  CHECK(r.done);
  CHECK(r.ec == memcache::make_error_code(memcache::errc::compute_failed));
  Result again;
  mc.async_get_or_set(
      "k", [] { return 5; },
      [&](std::error_code ec, int v) {
        again = {true, ec, std::to_string(v)};
      });
  io.run_for(30s);
  CHECK(again.value == "5");
}
