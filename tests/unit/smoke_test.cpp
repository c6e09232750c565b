#include <catch2/catch.hpp>

#include "hashing/python_hash.hpp"

TEST_CASE("python hash of known keys", "[unit]") {
  CHECK(memcache::detail::python_hash("foo", false) == 3187);
  CHECK(memcache::detail::python_hash("ob", false) == 0);
  CHECK(memcache::detail::python_hash("ob", true) == 1);
}
