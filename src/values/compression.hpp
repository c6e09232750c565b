#ifndef MEMCACHE_SRC_COMPRESSION_HPP
#define MEMCACHE_SRC_COMPRESSION_HPP

#include <string>
#include <string_view>

#include <memcache/options.hpp>

namespace memcache::detail {

/// A zlib stream of `data` (with zlib header), as Python's zlib.compress
/// writes and reads, made by libdeflate (several times faster than zlib at
/// the same ratio); `level` -1 (default: libdeflate's 5, about zlib level
/// 6's ratio), 0 (stored) to 12 (smallest; 10-12 are libdeflate's alone).
/// Throws ValueError for another level.
std::string zlib_compress(std::string_view data, int level = -1);
/// Undoes zlib_compress (or any zlib stream, e.g. Python's): libdeflate in
/// one shot, its room grown until the value fits, zlib's streaming inflate
/// past 64 MiB. Throws ValueError on data that is not a zlib stream.
std::string zlib_decompress(std::string_view data);
/// A flag-8 value's bytes decompressed with `options.decompressor`, or zlib
/// when it is not set. Throws ValueError.
std::string decompress(std::string_view data, const Options& options);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMPRESSION_HPP
