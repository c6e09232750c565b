#ifndef MEMCACHE_SRC_COMMANDS_OVERSIZED_HPP
#define MEMCACHE_SRC_COMMANDS_OVERSIZED_HPP

#include <memcache/options.hpp>

#include "protocol/reply_parser.hpp"

namespace memcache::detail {

/// Under `debug`, says that a value was too long to read
/// (Options::max_value_read_length) and its key failed.
void log_oversized(const Options& options, const protocol::Reply& reply);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_OVERSIZED_HPP
