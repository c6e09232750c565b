#ifndef MEMCACHE_VALUE_HPP
#define MEMCACHE_VALUE_HPP

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <memcache/export.hpp>
#include <memcache/options.hpp>

namespace memcache {

/// The flag bits python-memcached gives values; the library reads and writes
/// the same ones so both languages see the same values.
namespace flags {
inline constexpr std::uint32_t pickle = 1u << 0;        ///< Python pickle (read as PyValue, python.hpp)
inline constexpr std::uint32_t integer = 1u << 1;       ///< decimal integer, Python `int`
inline constexpr std::uint32_t long_integer = 1u << 2;  ///< decimal integer, Python 2 `long`
inline constexpr std::uint32_t compressed = 1u << 3;    ///< zlib stream of the value below
inline constexpr std::uint32_t text = 1u << 4;          ///< UTF-8 text, Python `str`
}  // namespace flags

/// UTF-8 text: stored with flag 16 so Python reads it as `str` (a plain
/// `std::string` is stored with flag 0 and Python reads `bytes`).
///
///     mc.set("greeting", memcache::Text("héllo"));
class Text {
 public:
  Text() = default;
  Text(std::string s) : value_(std::move(s)) {}
  Text(std::string_view s) : value_(s) {}
  Text(const char* s) : value_(s) {}

  const std::string& str() const& { return value_; }
  std::string&& str() && { return std::move(value_); }

  friend bool operator==(const Text& a, const Text& b) { return a.value_ == b.value_; }
  friend bool operator!=(const Text& a, const Text& b) { return a.value_ != b.value_; }

 private:
  std::string value_;
};

/// A value as stored: its bytes and flags, whatever client wrote it. Reads
/// anything, including flags this library does not know.
///
///     auto v = mc.get<memcache::Value>("k");
///     if (v && v->is_integer()) std::int64_t n = v->as<std::int64_t>();
class Value {
 public:
  /// Bytes and flags that already exist elsewhere: what a codec's `view`
  /// returns for a type whose bytes need no encoding (strings, Text).
  struct View {
    std::string_view bytes;
    std::uint32_t flags = 0;
  };

  Value() = default;
  Value(std::string bytes, std::uint32_t flags) : bytes_(std::move(bytes)), flags_(flags) {}

  /// The bytes as stored (still compressed when `is_compressed()`).
  const std::string& bytes() const& { return bytes_; }
  std::string&& bytes() && { return std::move(bytes_); }
  std::uint32_t flags() const { return flags_; }

  bool is_compressed() const { return (flags_ & flags::compressed) != 0; }
  bool is_text() const { return (flags_ & flags::text) != 0; }
  bool is_integer() const { return (flags_ & (flags::integer | flags::long_integer)) != 0; }

  /// Decodes into T with `memcache::codec<T>`, decompressing first (zlib) if
  /// needed. Throws `memcache::ValueError` when that is impossible.
  template <class T>
  T as() const;
  /// As `as<T>()`, decompressing with `options.decompressor` when it is set
  /// (pass the client's options for a value read with a custom compressor).
  template <class T>
  T as(const Options& options) const;

  friend bool operator==(const Value& a, const Value& b) { return a.flags_ == b.flags_ && a.bytes_ == b.bytes_; }
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  std::string bytes_;
  std::uint32_t flags_ = 0;
};

}  // namespace memcache

#endif  // MEMCACHE_VALUE_HPP
