#ifndef MEMCACHE_SRC_KEY_CHECK_HPP
#define MEMCACHE_SRC_KEY_CHECK_HPP

#include <cstddef>
#include <string_view>

namespace memcache::detail {

/// python-memcached's check_key: throws KeyNoneError for an empty key,
/// KeyLengthError when key + extra is longer than max_length (0 = no limit),
/// KeyCharacterError for a byte in 0x00-0x20 or 0x7f.
void check_key(std::string_view key, std::size_t extra_length, std::size_t max_length);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_KEY_CHECK_HPP
