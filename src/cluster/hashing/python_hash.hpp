#ifndef MEMCACHE_SRC_HASHING_PYTHON_HASH_HPP
#define MEMCACHE_SRC_HASHING_PYTHON_HASH_HPP

#include <cstdint>
#include <string_view>

namespace memcache::detail {

/// python-memcached's cmemcache_hash: `((crc32(key) & 0xffffffff) >> 16) & 0x7fff`,
/// with crc32 from zlib. Releases up to 1.59 turn 0 into 1 (`zero_as_one`).
std::uint32_t python_hash(std::string_view key, bool zero_as_one);

/// python-memcached's rehash after a dead server on try `attempt` (0-9):
/// `hash(str(h) + str(attempt))`.
std::uint32_t python_rehash(std::uint64_t h, unsigned attempt, bool zero_as_one);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_HASHING_PYTHON_HASH_HPP
