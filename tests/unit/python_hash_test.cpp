// python-memcached's key hash, bit for bit.

#include <catch2/catch.hpp>

#include <string>

#include "cluster/hashing/python_hash.hpp"

using memcache::detail::python_hash;
using memcache::detail::python_rehash;

TEST_CASE("python_hash: the vectors of python-memcached 1.60+", "[unit]") {
  CHECK(python_hash("foo", false) == 3187);
  CHECK(python_hash("key1", false) == 11356);
  CHECK(python_hash("a", false) == 26807);
  CHECK(python_hash("abc", false) == 13604);
  CHECK(python_hash("hello world", false) == 3402);
  CHECK(python_hash("memcached", false) == 11903);
  CHECK(python_hash("0", false) == 29915);
  CHECK(python_hash("ob", false) == 0);
}

TEST_CASE("python_hash: the 1.59 rule turns 0 into 1 and nothing else changes", "[unit]") {
  CHECK(python_hash("ob", true) == 1);
  CHECK(python_hash("foo", true) == 3187);
  CHECK(python_hash("0", true) == 29915);
  // Values computed by /usr/bin/python3's memcache.cmemcache_hash.
  CHECK(python_hash("1", true) == 988);
  CHECK(python_hash("2", true) == 6869);
  CHECK(python_hash("42", true) == 12836);
  CHECK(python_hash(std::string(300, 'x'), true) == 6979);
}

TEST_CASE("python_hash: hashes every byte, NUL included, and fits in 15 bits", "[unit]") {
  const std::string with_nul("a\0b", 3);
  CHECK(python_hash(with_nul, false) != python_hash("ab", false));
  CHECK(python_hash("", false) == 0);  // crc32 of nothing is 0
  CHECK(python_hash("", true) == 1);
  for (int i = 0; i < 2000; ++i) {
    const std::string key = "k" + std::to_string(i);
    const auto h = python_hash(key, false);
    INFO(key);
    CHECK(h <= 0x7fff);
  }
}

TEST_CASE("python_rehash: hash(str(h) + str(attempt))", "[unit]") {
  // python: cmemcache_hash(b"31870") == 29842
  CHECK(python_rehash(3187, 0, true) == 29842);
  CHECK(python_rehash(3187, 0, false) == 29842);
  CHECK(python_rehash(3187, 0, false) == python_hash("31870", false));
  CHECK(python_rehash(1, 9, false) == python_hash("19", false));
  CHECK(python_rehash(18446744073709551615ull, 3, false) == python_hash("184467440737095516153", false));

  // Where the rehash is 0 the two rules differ, and only there.
  int zeros = 0;
  for (std::uint64_t h = 0; h < 32768; ++h) {
    for (unsigned attempt = 0; attempt < 10; ++attempt) {
      const std::uint32_t raw = python_rehash(h, attempt, false);
      const std::uint32_t old = python_rehash(h, attempt, true);
      if (raw == 0) {
        ++zeros;
        CHECK(old == 1);
      } else if (raw != old) {
        FAIL("rules differ at h=" << h << " attempt=" << attempt);
      }
    }
  }
  CHECK(zeros > 0);
}
