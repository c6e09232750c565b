#ifndef MEMCACHE_SRC_COMMANDS_KEY_CHECK_HPP
#define MEMCACHE_SRC_COMMANDS_KEY_CHECK_HPP

#include <cstddef>
#include <string_view>

#include <memcache/options.hpp>

namespace memcache::detail {

/// python-memcached's check_key: throws KeyNoneError for an empty key,
/// KeyLengthError when key + extra is longer than max_length (0 = no limit),
/// KeyCharacterError for a byte in 0x00-0x20 or 0x7f.
void check_key(std::string_view key, std::size_t extra_length, std::size_t max_length);

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
