#ifndef MEMCACHE_SRC_DEBUG_LOG_HPP
#define MEMCACHE_SRC_DEBUG_LOG_HPP

#include <string_view>

#include <memcache/options.hpp>

namespace memcache::detail {

/// python-memcached's debuglog: with `options.debug`, the message goes to
/// `options.log`, or to stderr as "MemCached: <message>".
void debug_log(const Options& options, std::string_view message);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_DEBUG_LOG_HPP
