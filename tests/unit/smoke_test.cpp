// The library's version macros, as CMake and pkg-config read them.

#include <catch2/catch.hpp>

#include <memcache/version.hpp>

TEST_CASE("version macros agree", "[unit]") {
  CHECK(MEMCACHE_VERSION == MEMCACHE_VERSION_MAJOR * 10000 + MEMCACHE_VERSION_MINOR * 100 + MEMCACHE_VERSION_PATCH);
  CHECK(MEMCACHE_VERSION_MINOR < 100);
  CHECK(MEMCACHE_VERSION_PATCH < 100);
}
