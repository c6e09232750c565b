// gets + cas with cache_cas (python-memcached's form), gets_cas + cas_with
// (the explicit form), reset_cas.

#include "common.hpp"

using namespace itest;

TEST_CASE("cas with cache_cas uses the unique of the last gets", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Options options = itest::options();
  options.cache_cas = true;
  memcache::Client mc({server.spec()}, options);
  memcache::Client other({server.spec()}, itest::options());

  SECTION("success when nobody wrote in between") {
    CHECK(mc.set("k", "v1"));
    CHECK(mc.gets("k") == OptStr("v1"));
    CHECK(mc.cas("k", "v2"));
    CHECK(mc.get("k") == OptStr("v2"));
    // The remembered unique is kept (as python-memcached does), and it is
    // now stale: a second cas is refused.
    CHECK_FALSE(mc.cas("k", "v3"));
    CHECK(mc.get("k") == OptStr("v2"));
  }
  SECTION("EXISTS after another write -> false") {
    CHECK(mc.set("k", "v1"));
    CHECK(mc.gets("k") == OptStr("v1"));
    CHECK(other.set("k", "theirs"));
    CHECK_FALSE(mc.cas("k", "mine"));
    CHECK(mc.get("k") == OptStr("theirs"));
    // A fresh gets picks up the new unique.
    CHECK(mc.gets("k") == OptStr("theirs"));
    CHECK(mc.cas("k", "mine"));
    CHECK(mc.get("k") == OptStr("mine"));
  }
  SECTION("NOT_FOUND after a delete -> false") {
    CHECK(mc.set("k", "v1"));
    CHECK(mc.gets("k") == OptStr("v1"));
    CHECK(other.del("k"));
    CHECK_FALSE(mc.cas("k", "mine"));
    CHECK(mc.get("k") == std::nullopt);
  }
  SECTION("no gets before: falls back to set") {
    CHECK(mc.cas("fresh", "stored-by-set"));
    CHECK(mc.get("fresh") == OptStr("stored-by-set"));
    CHECK(other.set("k", "x"));
    CHECK(mc.cas("k", "overwritten"));
    CHECK(mc.get("k") == OptStr("overwritten"));
    // get (not gets) remembers nothing either
    CHECK(mc.get("k") == OptStr("overwritten"));
    CHECK(other.set("k", "again"));
    CHECK(mc.cas("k", "set-again"));
    CHECK(mc.get("k") == OptStr("set-again"));
  }
  SECTION("reset_cas forgets the uniques") {
    CHECK(mc.set("k", "v1"));
    CHECK(mc.gets("k") == OptStr("v1"));
    CHECK(other.set("k", "theirs"));
    mc.reset_cas();
    CHECK(mc.cas("k", "after-reset"));  // plain set now
    CHECK(mc.get("k") == OptStr("after-reset"));
  }
  SECTION("gets of a miss remembers nothing") {
    CHECK(mc.gets("none") == std::nullopt);
    CHECK(mc.cas("none", "set"));
    CHECK(mc.get("none") == OptStr("set"));
  }
}

TEST_CASE("cas without cache_cas is a set", "[integration]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, itest::options());
  memcache::Client other({server.spec()}, itest::options());
  CHECK(mc.set("k", "v1"));
  CHECK(mc.gets("k") == OptStr("v1"));
  CHECK(other.set("k", "theirs"));
  CHECK(mc.cas("k", "mine"));
  CHECK(mc.get("k") == OptStr("mine"));
}

TEST_CASE("gets_cas and cas_with", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());  // cache_cas off: cas_with needs none
  memcache::Client other({server.spec()}, itest::options());

  CHECK(mc.set("k", "v1"));
  auto first = mc.gets_cas("k");
  REQUIRE(first);
  CHECK(first->value == "v1");
  CHECK(first->cas_unique != 0);

  // The unique is the server's: unchanged value, same unique.
  auto again = mc.gets_cas("k");
  REQUIRE(again);
  CHECK(again->cas_unique == first->cas_unique);

  CHECK(mc.cas_with("k", "v2", first->cas_unique));
  CHECK(mc.get("k") == OptStr("v2"));
  // The old unique is stale now: EXISTS.
  CHECK_FALSE(mc.cas_with("k", "v3", first->cas_unique));
  CHECK(mc.get("k") == OptStr("v2"));

  auto second = mc.gets_cas("k");
  REQUIRE(second);
  CHECK(second->value == "v2");
  CHECK(second->cas_unique != first->cas_unique);
  CHECK(other.append("k", "!"));
  CHECK_FALSE(mc.cas_with("k", "lost", second->cas_unique));
  CHECK(mc.get("k") == OptStr("v2!"));

  // Typed values and expiry go through cas_with too.
  auto third = mc.gets_cas("k");
  REQUIRE(third);
  CHECK(mc.cas_with("k", 42, third->cas_unique, 100));
  CHECK(mc.get<int>("k") == std::optional<int>(42));
  auto typed = mc.gets_cas<int>("k");
  REQUIRE(typed);
  CHECK(typed->value == 42);

  // Gone: NOT_FOUND.
  CHECK(mc.del("k"));
  CHECK_FALSE(mc.cas_with("k", "v", typed->cas_unique));
  CHECK(mc.get("k") == std::nullopt);
  CHECK_FALSE(mc.gets_cas("k").has_value());
}
