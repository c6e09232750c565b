// Values: flags per type, decoding, and user codecs (python-memcached's wire format).

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <memcache/codec.hpp>
#include <memcache/detail/encoded.hpp>
#include <memcache/error.hpp>
#include <memcache/value.hpp>

#include "values/compression.hpp"

using Catch::Matchers::Contains;
using memcache::Text;
using memcache::Value;
using memcache::ValueError;
using memcache::detail::encode;

namespace {

// A user type stored with its own flags, as a codec specialization.
struct Point {
  int x = 0;
  int y = 0;
  friend bool operator==(const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }
};

constexpr std::uint32_t point_flags = 0x100;

}  // namespace

template <>
struct memcache::codec<Point> {
  static Value encode(const Point& p) { return Value(std::to_string(p.x) + "," + std::to_string(p.y), point_flags); }
  static Point decode(const Value& v) {
    if (v.flags() != point_flags) throw ValueError("not a Point");
    const auto comma = v.bytes().find(',');
    if (comma == std::string::npos) throw ValueError("not a Point");
    return Point{std::stoi(v.bytes().substr(0, comma)), std::stoi(v.bytes().substr(comma + 1))};
  }
};

TEST_CASE("codec: flags python-memcached gives each type", "[unit]") {
  CHECK(memcache::flags::pickle == 1);
  CHECK(memcache::flags::integer == 2);
  CHECK(memcache::flags::long_integer == 4);
  CHECK(memcache::flags::compressed == 8);
  CHECK(memcache::flags::text == 16);

  const std::string s = "bytes";
  auto e = encode(s);
  CHECK(e.flags() == 0);
  CHECK(e.bytes() == "bytes");
  CHECK(e.bytes().data() == s.data());  // strings are not copied
  CHECK(e.compressible());

  CHECK(encode(std::string_view("view")).flags() == 0);
  CHECK(encode("literal").flags() == 0);
  CHECK(encode("literal").bytes() == "literal");
  const char* p = "pointer";
  CHECK(encode(p).bytes() == "pointer");

  const Text text("h\xc3\xa9llo");
  auto t = encode(text);  // a view: `text` must outlive it
  CHECK(t.flags() == 16);
  CHECK(t.bytes() == "h\xc3\xa9llo");
  CHECK(t.compressible());

  auto i = encode(42);
  CHECK(i.flags() == 2);
  CHECK(i.bytes() == "42");
  CHECK_FALSE(i.compressible());  // python-memcached never compresses ints
  CHECK(encode(-7).bytes() == "-7");
  CHECK(encode(std::numeric_limits<std::int64_t>::min()).bytes() == "-9223372036854775808");
  CHECK(encode(std::numeric_limits<std::uint64_t>::max()).bytes() == "18446744073709551615");
  CHECK(encode(std::uint8_t{200}).bytes() == "200");
  CHECK(encode(short{-3}).flags() == 2);

  // bool as python-memcached stores True and False: pickled (protocol 0), flag 1.
  auto b = encode(true);
  CHECK(b.flags() == 1);
  CHECK(b.bytes() == "I01\n.");
  CHECK(encode(false).bytes() == "I00\n.");
  CHECK_FALSE(b.compressible());

  const Value raw("\x80\x04K\x01.", 1);  // someone's pickle, passed through as is
  auto v = encode(raw);
  CHECK(v.flags() == 1);
  CHECK(v.bytes() == raw.bytes());
}

TEST_CASE("codec: decoding strings and text", "[unit]") {
  using memcache::codec;
  CHECK(codec<std::string>::decode(Value("abc", 0)) == "abc");
  CHECK(codec<std::string>::decode(Value("h\xc3\xa9", 16)) == "h\xc3\xa9");
  CHECK(codec<std::string>::decode(Value("12", 2)) == "12");  // an int read as its decimal text
  CHECK(codec<std::string>::decode(Value("12", 4)) == "12");
  CHECK(codec<std::string>::decode(Value(std::string("a\0b", 3), 0)) == std::string("a\0b", 3));
  CHECK(codec<Text>::decode(Value("t", 16)) == Text("t"));
  CHECK(codec<Text>::decode(Value("t", 0)) == Text("t"));
  CHECK(codec<Text>::encode(Text("x")) == Value("x", 16));
  CHECK(codec<std::string>::encode("y") == Value("y", 0));

  CHECK_THROWS_AS(codec<std::string>::decode(Value("p", 1)), ValueError);
  CHECK_THROWS_WITH(codec<std::string>::decode(Value("p", 1)), Contains("flags 1") && Contains("pickle"));
  CHECK_THROWS_AS(codec<std::string>::decode(Value("x", 32)), ValueError);
  CHECK_THROWS_WITH(codec<std::string>::decode(Value("x", 32)), Contains("flags 32") && Contains("std::string"));
  CHECK_THROWS_AS(codec<std::string>::decode(Value("x", 8)), ValueError);  // still compressed
  CHECK_THROWS_AS(codec<std::string>::decode(Value("x", 18)), ValueError);
  CHECK_THROWS_AS(codec<Text>::decode(Value("1", 2)), ValueError);
  CHECK_THROWS_AS(codec<Text>::decode(Value("p", 1)), ValueError);
}

TEST_CASE("codec: decoding integers", "[unit]") {
  using memcache::codec;
  CHECK(codec<int>::decode(Value("42", 2)) == 42);
  CHECK(codec<long long>::decode(Value("-42", 4)) == -42);
  CHECK(codec<std::uint64_t>::decode(Value("18446744073709551615", 2)) == 18446744073709551615ull);
  CHECK(codec<std::int64_t>::decode(Value("-9223372036854775808", 2)) == std::numeric_limits<std::int64_t>::min());
  // After incr/decr memcached holds the digits with flags as set, and pads
  // decremented values with spaces.
  CHECK(codec<int>::decode(Value("99 ", 2)) == 99);
  CHECK(codec<int>::decode(Value("  7  ", 2)) == 7);
  CHECK(codec<int>::decode(Value("\t8\r\n", 2)) == 8);
  CHECK(codec<int>::decode(Value("123", 0)) == 123);
  CHECK(codec<int>::decode(Value("5", 16)) == 5);
  CHECK(codec<int>::decode(Value("+5", 2)) == 5);
  CHECK(codec<int>::decode(Value("007", 2)) == 7);

  for (const char* bad : {"", " ", "abc", "1 2", "12a", "1.5", "--1", "0x10", "+", "- 1"}) {
    INFO("\"" << bad << "\"");
    CHECK_THROWS_AS(codec<int>::decode(Value(bad, 2)), ValueError);
  }
  CHECK_THROWS_WITH(codec<int>::decode(Value("abc", 2)), Contains("\"abc\"") && Contains("not an integer"));
  CHECK_THROWS_AS(codec<std::uint32_t>::decode(Value("-1", 2)), ValueError);
  CHECK_THROWS_AS(codec<std::int8_t>::decode(Value("128", 2)), ValueError);  // out of range
  CHECK(codec<std::int8_t>::decode(Value("-128", 2)) == -128);
  CHECK_THROWS_AS(codec<std::uint64_t>::decode(Value("18446744073709551616", 2)), ValueError);
  CHECK_THROWS_AS(codec<int>::decode(Value("1", 1)), ValueError);   // pickle
  CHECK_THROWS_AS(codec<int>::decode(Value("1", 8)), ValueError);   // compressed
  CHECK_THROWS_AS(codec<int>::decode(Value("1", 64)), ValueError);  // unknown
  CHECK_THROWS_WITH(codec<int>::decode(Value("1", 64)), Contains("flags 64") && Contains("an integer"));

  CHECK(codec<bool>::decode(Value("1", 2)) == true);
  CHECK(codec<bool>::decode(Value("0", 2)) == false);
  CHECK(codec<bool>::decode(Value("2", 2)) == true);
  CHECK_THROWS_AS(codec<bool>::decode(Value("True", 2)), ValueError);
}

TEST_CASE("codec: a sign after '+' is not a number, as in Python's int()", "[unit]") {
  // parse_integer (codec.hpp) drops a leading '+' and lets from_chars read
  // the rest, which accepts a '-': "+-1" decodes to -1. int("+-1") raises.
  CHECK_THROWS_AS(memcache::codec<int>::decode(Value("+-1", 2)), ValueError);
  CHECK_THROWS_AS(memcache::codec<long long>::decode(Value(" +-5 ", 4)), ValueError);
}

TEST_CASE("Value: accessors and as<T>", "[unit]") {
  const Value plain("hello", 0);
  CHECK_FALSE(plain.is_compressed());
  CHECK_FALSE(plain.is_text());
  CHECK_FALSE(plain.is_integer());
  CHECK(plain.as<std::string>() == "hello");
  CHECK(Value("x", 16).is_text());
  CHECK(Value("1", 2).is_integer());
  CHECK(Value("1", 4).is_integer());
  CHECK(Value("1", 10).is_compressed());
  CHECK(Value("1", 2).as<int>() == 2 - 1);
  CHECK(Value(" 17 ", 4).as<long>() == 17L);
  CHECK(Value("t", 16).as<Text>() == Text("t"));
  CHECK(Value() == Value("", 0));
  CHECK(Value("a", 0) != Value("a", 16));
  // Unknown flags are kept; only decoding them into a type fails.
  const Value foreign("data", 0x4000);
  CHECK(foreign.as<Value>() == foreign);
  CHECK_THROWS_AS(foreign.as<std::string>(), ValueError);
  CHECK_THROWS_AS(Value("(dp0\n.", 1).as<std::string>(), ValueError);
}

TEST_CASE("Value::as<T> decompresses values with flag 8", "[unit]") {
  const std::string text = "compressed text, compressed text, compressed text";
  const Value bytes(memcache::detail::zlib_compress(text), 8);
  CHECK(bytes.is_compressed());
  CHECK(bytes.bytes() != text);
  CHECK(bytes.as<std::string>() == text);
  CHECK(bytes.as<Value>() == bytes);  // Value is the stored form, still compressed

  CHECK(Value(memcache::detail::zlib_compress("h\xc3\xa9llo"), 8 | 16).as<Text>() == Text("h\xc3\xa9llo"));
  CHECK(Value(memcache::detail::zlib_compress("123456"), 8 | 2).as<int>() == 123456);
  CHECK(Value(memcache::detail::zlib_compress("  99 "), 8 | 4).as<std::uint64_t>() == 99);
  CHECK_THROWS_AS(Value(memcache::detail::zlib_compress("abc"), 8 | 2).as<int>(), ValueError);
  CHECK_THROWS_AS(Value("not zlib", 8).as<std::string>(), ValueError);
  CHECK_THROWS_AS(Value(memcache::detail::zlib_compress("p"), 8 | 1).as<std::string>(), ValueError);

  const Value inflated = memcache::detail::inflate(Value(memcache::detail::zlib_compress("z"), 8 | 16),
                                                   memcache::detail::default_options());
  CHECK(inflated == Value("z", 16));
  CHECK(memcache::detail::inflate(Value("same", 2), memcache::detail::default_options()) == Value("same", 2));
}

TEST_CASE("codec: a user type with a codec<T> specialization", "[unit]") {
  const Point p{3, -4};
  auto e = encode(p);
  CHECK(e.flags() == point_flags);
  CHECK(e.bytes() == "3,-4");
  CHECK(e.compressible());

  CHECK(Value("3,-4", point_flags).as<Point>() == p);
  CHECK(memcache::codec<Point>::decode(memcache::codec<Point>::encode(Point{10, 20})) == Point{10, 20});
  CHECK_THROWS_AS(Value("3,-4", 0).as<Point>(), ValueError);
  CHECK_THROWS_WITH(Value("34", point_flags).as<Point>(), "not a Point");
  // Compressed: the codec sees its own flags with 8 cleared.
  CHECK(Value(memcache::detail::zlib_compress("7,8"), point_flags | 8).as<Point>() == Point{7, 8});
}
