#ifndef MEMCACHE_SRC_ESCAPE_HPP
#define MEMCACHE_SRC_ESCAPE_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace memcache::detail {

/// `bytes` made readable for an error message: control and non-ASCII bytes
/// as \xNN, cut after `limit` bytes with "...".
std::string escape(std::string_view bytes, std::size_t limit = 64);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ESCAPE_HPP
