#include "commands/key_check.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "support/escape.hpp"

#include <fmt/format.h>

#include <memcache/error.hpp>

namespace memcache::detail {
namespace {

// The bytes memcached's text protocol cannot carry in a key: 0x00-0x20, 0x7f.
bool forbidden(unsigned char c) { return c <= 0x20 || c == 0x7f; }

constexpr std::uint64_t ones = 0x0101010101010101u;
constexpr std::uint64_t highs = 0x8080808080808080u;

// Whether any of the 8 bytes of `w` is forbidden, 8 at a time: a byte below
// 0x21 borrows in `w - 0x21..`, and one equal to 0x7f is zero in `w ^ 0x7f..`
// (the usual "has a byte less than n" test, exact for n <= 128).
bool any_forbidden(std::uint64_t w) {
  const std::uint64_t below = (w - ones * 0x21) & ~w & highs;
  const std::uint64_t x = w ^ (ones * 0x7f);
  const std::uint64_t del = (x - ones) & ~x & highs;
  return (below | del) != 0;
}

// True when every byte may be in a key.
bool all_allowed(std::string_view key) {
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, key.data() + i, 8);
    if (any_forbidden(w)) return false;
  }
  for (; i < key.size(); ++i) {
    if (forbidden(static_cast<unsigned char>(key[i]))) return false;
  }
  return true;
}

// The throwing half, kept out of line so the check itself stays lean.
[[noreturn, gnu::noinline]] void reject_key(std::string_view key, std::size_t extra_length, std::size_t max_length) {
  if (key.empty() && extra_length == 0) throw KeyNoneError("memcache key is empty");
  if (max_length != 0 && key.size() + extra_length > max_length) {
    throw KeyLengthError(fmt::format("memcache key is {} bytes{}, longer than server_max_key_length {}: \"{}\"",
                                     key.size() + extra_length, extra_length ? " with its prefix" : "", max_length,
                                     escape(key)));
  }
  for (char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (forbidden(c)) {
      throw KeyCharacterError(
          fmt::format("memcache key holds a space or control character (0x{:02x}): \"{}\"", c, escape(key)));
    }
  }
  throw std::logic_error("reject_key called for a good key");
}

}  // namespace

void check_key(std::string_view key, std::size_t extra_length, std::size_t max_length) {
  const bool bad_length =
      (key.empty() && extra_length == 0) || (max_length != 0 && key.size() + extra_length > max_length);
  if (bad_length || !all_allowed(key)) reject_key(key, extra_length, max_length);
}

}  // namespace memcache::detail
