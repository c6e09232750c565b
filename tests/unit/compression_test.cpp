// zlib, as python-memcached's zlib.compress / zlib.decompress.

#include <catch2/catch.hpp>

#include <string>

#include <memcache/error.hpp>

#include <memcache/options.hpp>
#include <memcache/value.hpp>

#include "values/compression.hpp"
#include "values/prepare.hpp"

using namespace std::string_literals;
using Catch::Matchers::Contains;
using memcache::ValueError;
using memcache::detail::zlib_compress;
using memcache::detail::zlib_decompress;

namespace {

// /usr/bin/python3 -c "import zlib; print(zlib.compress(b'python-memcached value \x00\r\n\xff ' * 12))"
const std::string python_plain = "python-memcached value \0\r\n\xff "s;
const std::string python_compressed =
    "\x78\x9c\x2b\xa8\x2c\xc9\xc8\xcf\xd3\xcd\x4d\xcd\x4d\x4e\x4c\xce\x48\x4d\x51\x28\x4b\xcc\x29\x4d\x55\x60\xe0"
    "\xe5\xfa\xaf\x50\x30\x2a\x47\xb2\x1c\x00\x54\x4d\x77\xad"s;
// zlib.compress(b'12345678901234567890', 9)
const std::string python_level9 = "\x78\xda\x33\x34\x32\x36\x31\x35\x33\xb7\xb0\x34\x30\x84\xb3\x00\x2a\xda\x04\x1b"s;

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("zlib: data compressed by Python decompresses", "[unit]") {
  REQUIRE(python_compressed.size() == 41);
  CHECK(zlib_decompress(python_compressed) == repeat(python_plain, 12));
  CHECK(zlib_decompress(python_compressed).size() == 336);
  CHECK(zlib_decompress(python_level9) == "12345678901234567890");
}

TEST_CASE("zlib: round trips", "[unit]") {
  for (const std::string& data :
       {""s, "a"s, "hello"s, "a\0b\r\n"s, repeat("abcdefgh", 1000), std::string(1 << 20, 'x')}) {
    INFO(data.size() << " bytes");
    const std::string packed = zlib_compress(data);
    CHECK(packed.size() >= 2);
    CHECK(static_cast<unsigned char>(packed[0]) == 0x78);  // zlib header, as Python's
    CHECK(zlib_decompress(packed) == data);
  }
  std::string noise;
  unsigned x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1103515245u + 12345u;
    noise += static_cast<char>(x >> 24);
  }
  CHECK(zlib_decompress(zlib_compress(noise)) == noise);
  CHECK(zlib_compress(std::string(1 << 20, 'x')).size() < 2000);
}

TEST_CASE("zlib: corrupt or truncated data is a ValueError", "[unit]") {
  CHECK_THROWS_AS(zlib_decompress(""), ValueError);
  CHECK_THROWS_AS(zlib_decompress("not zlib at all"), ValueError);
  CHECK_THROWS_WITH(zlib_decompress("not zlib at all"), Contains("not a valid zlib stream"));
  // Cut anywhere: every proper prefix is incomplete.
  for (std::size_t n = 0; n < python_compressed.size(); ++n) {
    INFO("first " << n << " bytes");
    CHECK_THROWS_AS(zlib_decompress(python_compressed.substr(0, n)), ValueError);
  }
  // A flipped byte in the data or the checksum.
  std::string flipped = python_compressed;
  flipped[10] = static_cast<char>(flipped[10] ^ 0x55);
  CHECK_THROWS_AS(zlib_decompress(flipped), ValueError);
  std::string bad_sum = python_compressed;
  bad_sum.back() = static_cast<char>(bad_sum.back() ^ 1);
  CHECK_THROWS_AS(zlib_decompress(bad_sum), ValueError);
  // A long stream cut short (more than one output chunk decoded first).
  const std::string big = zlib_compress(repeat("0123456789abcdef", 100000));
  CHECK_THROWS_AS(zlib_decompress(big.substr(0, big.size() / 2)), ValueError);
  CHECK_THROWS_AS(zlib_decompress(big.substr(0, big.size() - 1)), ValueError);
}

TEST_CASE("zlib: every level is a zlib stream that reads back, larger than the first guess too", "[unit]") {
  std::string json;
  for (int i = 0; json.size() < 300000; ++i) json += "{\"id\":" + std::to_string(i) + ",\"name\":\"user\"},";
  for (int level : {-1, 0, 1, 6, 9}) {
    INFO("level " << level);
    const std::string packed = zlib_compress(json, level);
    CHECK(static_cast<unsigned char>(packed[0]) == 0x78);
    CHECK(zlib_decompress(packed) == json);
  }
  // Level 1 announces itself as "fastest" in the header (0x78 0x01), as
  // Python's zlib.compress(data, 1); the default (libdeflate's 5) as "fast"
  // (0x78 0x5e), 6 as zlib's default (0x78 0x9c). Readers ignore it.
  CHECK(static_cast<unsigned char>(zlib_compress(json, 1)[1]) == 0x01);
  CHECK(static_cast<unsigned char>(zlib_compress(json)[1]) == 0x5e);
  CHECK(static_cast<unsigned char>(zlib_compress(json, 6)[1]) == 0x9c);
  // Output 1000 times the input: grows well past the first guess.
  const std::string zeros(1 << 22, '\0');
  CHECK(zlib_decompress(zlib_compress(zeros, 9)) == zeros);
  // libdeflate's own levels past zlib's 9; nothing past 12.
  for (int level : {10, 11, 12}) {
    INFO("level " << level);
    const std::string packed = zlib_compress(json, level);
    CHECK(packed.size() <= zlib_compress(json, 6).size());
    CHECK(zlib_decompress(packed) == json);
  }
  CHECK_THROWS_AS(zlib_compress(json, 13), ValueError);
}

TEST_CASE("zlib: a value larger than the one-shot room is inflated by zlib's stream", "[unit]") {
  // Past 64 MiB libdeflate's one-shot room is not grown further: zlib's
  // streaming inflate reads the rest, as for any size Python writes.
  const std::string big((std::size_t{64} << 20) + 4096, 'z');
  const std::string packed = zlib_compress(big, 1);
  CHECK(packed.size() < big.size() / 100);
  CHECK(zlib_decompress(packed) == big);
  CHECK_THROWS_AS(zlib_decompress(packed.substr(0, packed.size() - 2)), ValueError);
}

TEST_CASE("prepare_value: compress_level reaches zlib", "[unit]") {
  std::string json;
  for (int i = 0; json.size() < 20000; ++i) json += "{\"id\":" + std::to_string(i) + "},";
  memcache::Options options;
  std::string scratch;
  auto fast = [&](int level) {
    options.compress_level = level;
    auto p = memcache::detail::prepare_value(memcache::detail::Encoded::view(json, 0), 1024, options, scratch);
    REQUIRE(p);
    CHECK((p->flags & memcache::flags::compressed) != 0);
    CHECK(zlib_decompress(p->bytes) == json);
    return static_cast<unsigned char>(p->bytes[1]);
  };
  CHECK(fast(-1) == 0x5e);
  CHECK(fast(1) == 0x01);
  CHECK(fast(6) == 0x9c);
}
