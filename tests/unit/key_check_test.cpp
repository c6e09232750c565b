// python-memcached's check_key rules, internal and through Client::check_key.

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>

#include <memcache/client.hpp>
#include <memcache/error.hpp>

#include "commands/key_check.hpp"

using Catch::Matchers::Contains;
using memcache::detail::check_key;

static_assert(std::is_base_of_v<memcache::KeyError, memcache::KeyNoneError>);
static_assert(std::is_base_of_v<memcache::KeyError, memcache::KeyLengthError>);
static_assert(std::is_base_of_v<memcache::KeyError, memcache::KeyCharacterError>);
static_assert(std::is_base_of_v<memcache::Error, memcache::KeyError>);
static_assert(std::is_base_of_v<std::runtime_error, memcache::Error>);

TEST_CASE("check_key: an empty key is KeyNoneError", "[unit]") {
  CHECK_THROWS_AS(check_key("", 0, 250), memcache::KeyNoneError);
  CHECK_THROWS_AS(check_key("", 0, 0), memcache::KeyNoneError);
  CHECK_THROWS_AS(check_key("", 0, 250), memcache::KeyError);
  CHECK_THROWS_AS(check_key("", 0, 250), memcache::Error);
  CHECK_THROWS_WITH(check_key("", 0, 250), Contains("empty"));
  // As in python-memcached, an empty key with a prefix is the prefix alone.
  CHECK_NOTHROW(check_key("", 7, 250));
}

TEST_CASE("check_key: length limit, prefix included", "[unit]") {
  const std::string k250(250, 'k');
  CHECK_NOTHROW(check_key(k250, 0, 250));
  CHECK_THROWS_AS(check_key(k250 + "k", 0, 250), memcache::KeyLengthError);
  CHECK_THROWS_AS(check_key(k250 + "k", 0, 250), memcache::KeyError);
  CHECK_THROWS_AS(check_key(k250 + "k", 0, 250), memcache::Error);
  CHECK_THROWS_WITH(check_key(k250 + "k", 0, 250), Contains("251") && Contains("250"));

  // The prefix counts: 240 + 10 fits, 241 + 10 does not.
  CHECK_NOTHROW(check_key(std::string(240, 'k'), 10, 250));
  CHECK_THROWS_AS(check_key(std::string(241, 'k'), 10, 250), memcache::KeyLengthError);
  CHECK_THROWS_WITH(check_key(std::string(241, 'k'), 10, 250), Contains("251") && Contains("prefix"));

  // Other limits, and 0 = unlimited.
  CHECK_NOTHROW(check_key("12345", 0, 5));
  CHECK_THROWS_AS(check_key("123456", 0, 5), memcache::KeyLengthError);
  CHECK_NOTHROW(check_key(std::string(100000, 'k'), 0, 0));
  CHECK_NOTHROW(check_key(std::string(100000, 'k'), 100000, 0));
}

TEST_CASE("check_key: the length is checked before the characters, as python-memcached does", "[unit]") {
  CHECK_THROWS_AS(check_key(std::string(300, ' '), 0, 250), memcache::KeyLengthError);
}

TEST_CASE("check_key: every control byte, space and DEL is KeyCharacterError", "[unit]") {
  int rejected = 0;
  for (int c = 0; c <= 0x20; ++c) {
    const std::string key = "ab" + std::string(1, static_cast<char>(c)) + "cd";
    INFO("byte " << c);
    CHECK_THROWS_AS(check_key(key, 0, 250), memcache::KeyCharacterError);
    ++rejected;
  }
  CHECK_THROWS_AS(check_key("ab\x7f"
                            "cd",
                            0, 250),
                  memcache::KeyCharacterError);
  CHECK_THROWS_AS(check_key(std::string(1, '\0'), 0, 250), memcache::KeyCharacterError);
  CHECK_THROWS_AS(check_key("key ", 0, 250), memcache::KeyError);
  CHECK_THROWS_AS(check_key(" key", 0, 250), memcache::Error);
  CHECK(rejected == 33);
  // The message names the byte and shows the key.
  CHECK_THROWS_WITH(check_key("hello world", 0, 250), Contains("0x20") && Contains("hello world"));
  CHECK_THROWS_WITH(check_key("a\nb", 0, 250), Contains("0x0a") && Contains("a\\x0ab"));
  CHECK_THROWS_WITH(check_key("a\x7f", 0, 250), Contains("0x7f"));
}

TEST_CASE("check_key: bytes 0x21-0x7e and 0x80-0xff are accepted", "[unit]") {
  std::string all;
  for (int c = 0x21; c <= 0x7e; ++c) all += static_cast<char>(c);
  for (int c = 0x80; c <= 0xff; ++c) all += static_cast<char>(c);
  REQUIRE(all.size() == 94 + 128);
  CHECK_NOTHROW(check_key(all, 0, 250));
  for (char c : all) {
    INFO("byte " << (static_cast<int>(c) & 0xff));
    CHECK_NOTHROW(check_key(std::string(1, c), 0, 250));
  }
  CHECK_NOTHROW(check_key("h\xc3\xa9llo", 0, 250));  // UTF-8
}

TEST_CASE("check_key: every byte value at every position of a long key", "[unit]") {
  // Long keys are checked 8 bytes at a time: a bad byte anywhere in a word,
  // next to any neighbour, must still be found, and no good byte flagged.
  for (int c = 0; c <= 0xff; ++c) {
    const bool bad = c <= 0x20 || c == 0x7f;
    for (char fill : {'a', '\x80', '\x21', '\x7e', '\xff'}) {
      for (std::size_t at = 0; at < 19; ++at) {
        std::string key(19, fill);
        key[at] = static_cast<char>(c);
        INFO("byte " << c << " at " << at);
        if (bad) {
          CHECK_THROWS_AS(check_key(key, 0, 250), memcache::KeyCharacterError);
        } else {
          CHECK_NOTHROW(check_key(key, 0, 250));
        }
      }
    }
  }
}

TEST_CASE("Client::check_key applies the client's server_max_key_length", "[unit]") {
  memcache::Client mc({"127.0.0.1:1"});  // never connects: check_key needs no server
  CHECK_NOTHROW(mc.check_key(std::string(250, 'k')));
  CHECK_THROWS_AS(mc.check_key(std::string(251, 'k')), memcache::KeyLengthError);
  CHECK_THROWS_AS(mc.check_key(std::string(245, 'k'), 6), memcache::KeyLengthError);
  CHECK_NOTHROW(mc.check_key(std::string(245, 'k'), 5));
  CHECK_THROWS_AS(mc.check_key(""), memcache::KeyNoneError);
  CHECK_THROWS_AS(mc.check_key("a b"), memcache::KeyCharacterError);
  CHECK_THROWS_AS(mc.check_key("a\tb"), memcache::KeyCharacterError);

  memcache::Options short_keys;
  short_keys.server_max_key_length = 10;
  memcache::Client small({"127.0.0.1:1"}, short_keys);
  CHECK_NOTHROW(small.check_key("0123456789"));
  CHECK_THROWS_AS(small.check_key("0123456789a"), memcache::KeyLengthError);
  CHECK_THROWS_WITH(small.check_key("0123456789a"), Contains("10"));

  memcache::Options unlimited;
  unlimited.server_max_key_length = 0;
  memcache::Client big({"127.0.0.1:1"}, unlimited);
  CHECK_NOTHROW(big.check_key(std::string(5000, 'k')));
  CHECK_THROWS_AS(big.check_key(std::string(5000, 'k') + " "), memcache::KeyCharacterError);
}
