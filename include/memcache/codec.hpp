#ifndef MEMCACHE_CODEC_HPP
#define MEMCACHE_CODEC_HPP

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <memcache/error.hpp>
#include <memcache/export.hpp>
#include <memcache/options.hpp>
#include <memcache/value.hpp>

namespace memcache {

/// The customization point that makes a type storable. Specialize it for your
/// own type, with no change to the library:
///
///     template <> struct memcache::codec<Point> {
///       static memcache::Value encode(const Point& p) { return {to_bytes(p), 0x100}; }
///       static Point decode(const memcache::Value& v) { return from_bytes(v.bytes()); }
///     };
///
/// `decode` receives the value already decompressed (flag 8 cleared) and
/// throws `memcache::ValueError` when it cannot decode.
template <class T, class Enable = void>
struct codec;

namespace detail {

[[noreturn]] MEMCACHE_API void throw_bad_flags(std::uint32_t flags, const char* type);
[[noreturn]] MEMCACHE_API void throw_not_integer(std::string_view bytes, const char* type);
/// Undoes flag 8 (compressed) with `options.decompressor`, or zlib when it is
/// empty; other values pass through.
MEMCACHE_API Value inflate(Value v, const Options& options);
/// Options with every default, for decoding without a client.
MEMCACHE_API const Options& default_options();

inline bool is_stringish_flags(std::uint32_t f) { return f == 0 || f == flags::text; }
inline bool is_integer_flags(std::uint32_t f) { return f == flags::integer || f == flags::long_integer; }

/// Parses a decimal integer as Python's int() does for what memcached holds:
/// surrounding ASCII whitespace allowed (memcached pads decremented values
/// with spaces), an optional sign.
template <class Int>
Int parse_integer(std::string_view s, const char* type) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    if (!digits.empty() && digits.front() == '-') throw_not_integer(s, type);
  }
  Int out{};
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    throw_not_integer(s, type);
  }
  return out;
}

}  // namespace detail

/// Raw bytes: flag 0, Python `bytes`. Reads flags 0 and 16 (and integers,
/// as their decimal text).
template <>
struct codec<std::string> {
  static Value encode(const std::string& s) { return Value(s, 0); }
  static Value::View view(const std::string& s) { return {s, 0}; }
  static std::string decode(Value v) {
    if (!detail::is_stringish_flags(v.flags()) && !detail::is_integer_flags(v.flags())) {
      detail::throw_bad_flags(v.flags(), "std::string");
    }
    return std::move(v).bytes();
  }
};

/// Stored as std::string is (flag 0); nothing is copied on the way out.
template <>
struct codec<std::string_view> {
  static Value encode(std::string_view s) { return Value(std::string(s), 0); }
  static Value::View view(std::string_view s) { return {s, 0}; }
};
template <>
struct codec<const char*> {
  static Value encode(const char* s) { return Value(s, 0); }
  static Value::View view(const char* s) { return {s, 0}; }
};
template <>
struct codec<char*> : codec<const char*> {};

/// UTF-8 text: flag 16, Python `str`. Reads flags 0 and 16.
template <>
struct codec<Text> {
  static Value encode(const Text& t) { return Value(t.str(), flags::text); }
  static Value::View view(const Text& t) { return {t.str(), flags::text}; }
  static Text decode(Value v) {
    if (!detail::is_stringish_flags(v.flags())) detail::throw_bad_flags(v.flags(), "memcache::Text");
    return Text(std::move(v).bytes());
  }
};

/// Integers: flag 2, decimal ASCII, Python `int`. Reads flags 2 and 4, and
/// flags 0 or 16 when the bytes are a decimal number (e.g. after `incr`).
template <class Int>
struct codec<Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>> {
  static Value encode(Int n) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, n);
    return Value(std::string(buf, res.ptr), flags::integer);
  }
  static Int decode(const Value& v) {
    if (!detail::is_integer_flags(v.flags()) && !detail::is_stringish_flags(v.flags())) {
      detail::throw_bad_flags(v.flags(), "an integer");
    }
    return detail::parse_integer<Int>(v.bytes(), "an integer");
  }
};

namespace detail {
/// A Python bool (or int) from a pickle (src/python/codec.cpp).
MEMCACHE_API bool decode_python_bool(const Value& v);
}  // namespace detail

/// bool as python-memcached stores Python's True and False: a protocol 0
/// pickle, flag 1. Reads those (any protocol, or a pickled int), and integers
/// (flag 2, 1 or 0, as earlier versions of this library wrote bools; nonzero is true).
template <>
struct codec<bool> {
  static Value encode(bool b) { return Value(b ? "I01\n." : "I00\n.", flags::pickle); }
  static bool decode(const Value& v) {
    if (v.flags() == flags::pickle) return detail::decode_python_bool(v);
    return codec<long long>::decode(v) != 0;
  }
};

/// Value reads anything, unchanged.
template <>
struct codec<Value> {
  static Value encode(const Value& v) { return v; }
  static Value::View view(const Value& v) { return {v.bytes(), v.flags()}; }
  static Value decode(Value v) { return v; }
};

namespace detail {

/// The one decoder both clients and Value::as use: decompresses (the options'
/// decompressor, else zlib), then `codec<T>::decode`; Value comes back as
/// stored.
template <class T>
T decode(Value raw, const Options& options) {
  if constexpr (std::is_same_v<T, Value>) {
    return raw;
  } else if (raw.is_compressed()) {
    return codec<T>::decode(inflate(std::move(raw), options));
  } else {
    return codec<T>::decode(std::move(raw));  // the common case: no call, no copy
  }
}

}  // namespace detail

template <class T>
T Value::as(const Options& options) const {
  return detail::decode<T>(*this, options);
}

template <class T>
T Value::as() const {
  return as<T>(detail::default_options());
}

}  // namespace memcache

#endif  // MEMCACHE_CODEC_HPP
