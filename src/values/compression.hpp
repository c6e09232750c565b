#ifndef MEMCACHE_SRC_COMPRESSION_HPP
#define MEMCACHE_SRC_COMPRESSION_HPP

#include <string>
#include <string_view>

namespace memcache::detail {

/// A zlib stream of `data` (with zlib header), as Python's zlib.compress;
/// `level` as zlib's (-1: its default, 6; 1: fastest; 9: smallest).
std::string zlib_compress(std::string_view data, int level = -1);
/// Undoes zlib_compress; throws ValueError on data that is not a zlib stream.
std::string zlib_decompress(std::string_view data);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMPRESSION_HPP
