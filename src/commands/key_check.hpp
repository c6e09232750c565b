#ifndef MEMCACHE_SRC_COMMANDS_KEY_CHECK_HPP
#define MEMCACHE_SRC_COMMANDS_KEY_CHECK_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <memcache/options.hpp>

namespace memcache::detail {

/// Throws the error check_key found in `key` (out of line: the check itself
/// is inline, so that a multi-key call's loop over its keys makes no call).
[[noreturn]] void reject_key(std::string_view key, std::size_t extra_length, std::size_t max_length);

namespace key_bytes {

constexpr std::uint64_t ones = 0x0101010101010101u;
constexpr std::uint64_t highs = 0x8080808080808080u;

// The bytes memcached's text protocol cannot carry in a key: 0x00-0x20, 0x7f.
inline bool forbidden(unsigned char c) { return c <= 0x20 || c == 0x7f; }

// The forbidden bytes among the 8 at `p`, as their high bits. For a byte c
// with its high bit clear, (c + 1) & 0x7f is below 0x22 exactly when c is
// forbidden (0x7f wraps to 0); bytes from 0x80 up are allowed.
inline std::uint64_t forbidden_bits(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  const std::uint64_t next = ((w & ~highs) + ones) & ~highs;  // (c + 1) & 0x7f, no carry between bytes
  const std::uint64_t allowed = next + ones * (0x80 - 0x22);  // high bit set when next >= 0x22
  return ~(allowed | w) & highs;
}

// True when every byte may be in a key: 8 at a time, the last 8 read whole
// (overlapping the word before) rather than byte by byte.
inline bool all_allowed(std::string_view key) {
  const char* p = key.data();
  const std::size_t n = key.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (forbidden(static_cast<unsigned char>(p[i]))) return false;
    }
    return true;
  }
  std::uint64_t bits = forbidden_bits(p + n - 8);
  for (std::size_t i = 0; i + 8 < n; i += 8) bits |= forbidden_bits(p + i);
  return bits == 0;
}

}  // namespace key_bytes

/// python-memcached's check_key: throws KeyNoneError for an empty key,
/// KeyLengthError when key + extra is longer than max_length (0 = no limit),
/// KeyCharacterError for a byte in 0x00-0x20 or 0x7f.
inline void check_key(std::string_view key, std::size_t extra_length, std::size_t max_length) {
  const bool bad_length =
      (key.empty() && extra_length == 0) || (max_length != 0 && key.size() + extra_length > max_length);
  if (bad_length || !key_bytes::all_allowed(key)) reject_key(key, extra_length, max_length);
}

/// A call's key checked as the client's options say (nothing when
/// `check_keys` is off); `extra_length` counts a prefix that goes in front.
inline void check_call_key(const Options& options, std::string_view key, std::size_t extra_length = 0) {
  if (options.check_keys) check_key(key, extra_length, options.server_max_key_length);
}
/// A multi-key call's prefix, then each key with it.
template <class Keys, class Text>
void check_call_keys(const Options& options, std::string_view prefix, const Keys& keys, Text text) {
  if (!options.check_keys) return;
  if (!prefix.empty()) check_key(prefix, 0, options.server_max_key_length);
  for (const auto& k : keys) check_key(text(k), prefix.size(), options.server_max_key_length);
}

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_KEY_CHECK_HPP
