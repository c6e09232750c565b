// incr / decr against a real memcached.

#include "common.hpp"

using namespace itest;

using OptU64 = std::optional<std::uint64_t>;

TEST_CASE("incr and decr", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());

  CHECK(mc.incr("missing") == std::nullopt);
  CHECK(mc.decr("missing", 5) == std::nullopt);
  CHECK(mc.get("missing") == std::nullopt);

  CHECK(mc.set("n", 10));
  CHECK(mc.incr("n") == OptU64(11));
  CHECK(mc.incr("n", 9) == OptU64(20));
  CHECK(mc.decr("n") == OptU64(19));
  CHECK(mc.decr("n", 10) == OptU64(9));
  CHECK(mc.get<int>("n") == std::optional<int>(9));
  // decr floors at 0
  CHECK(mc.decr("n", 100) == OptU64(0));
  CHECK(mc.decr("n") == OptU64(0));
  CHECK(mc.get<std::uint64_t>("n") == OptU64(0));

  // A string of digits counts too, and the result reads back as an integer
  // even where memcached pads a shorter decremented value with spaces.
  CHECK(mc.set("s", "100"));
  CHECK(mc.decr("s", 95) == OptU64(5));
  CHECK(mc.get<int>("s") == std::optional<int>(5));
  CHECK(mc.incr("s", 1000) == OptU64(1005));
  CHECK(mc.get<long>("s") == std::optional<long>(1005));

  // 64-bit wrap-around, as memcached does it.
  CHECK(mc.set("max", std::numeric_limits<std::uint64_t>::max()));
  CHECK(mc.get<std::uint64_t>("max") == OptU64(std::numeric_limits<std::uint64_t>::max()));
  CHECK(mc.incr("max") == OptU64(0));

  CHECK(mc.set("big", 0));
  CHECK(mc.incr("big", 1ULL << 40) == OptU64(1ULL << 40));
}

TEST_CASE("incr of a non-numeric value throws ValueError and the client keeps working", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Options options = itest::options();
  options.max_connections_per_server = 1;  // the same connection must stay in step
  memcache::Client mc({server.spec()}, options);

  CHECK(mc.set("text", "hello"));
  CHECK(mc.set("n", 1));
  CHECK_THROWS_AS(mc.incr("text"), memcache::ValueError);
  CHECK_THROWS_AS(mc.decr("text", 2), memcache::ValueError);
  try {
    mc.incr("text");
    FAIL("incr of a non-numeric value did not throw");
  } catch (const memcache::Error& e) {
    CHECK(std::string(e.what()).find("text") != std::string::npos);
  }
  // Unchanged, and every later call gets its own reply.
  CHECK(mc.get("text") == OptStr("hello"));
  CHECK(mc.incr("n") == OptU64(2));
  CHECK(mc.get_multi({"text", "n"}) == std::unordered_map<std::string, std::string>{{"text", "hello"}, {"n", "2"}});
  CHECK(mc.set("after", "ok"));
  CHECK(mc.get("after") == OptStr("ok"));
}
