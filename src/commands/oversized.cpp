#include "commands/oversized.hpp"

#include <fmt/format.h>

#include "support/debug_log.hpp"
#include "support/escape.hpp"

namespace memcache::detail {

void log_oversized(const Options& options, const protocol::Reply& reply) {
  if (!options.debug) return;
  debug_log(options, fmt::format("key \"{}\": value of {} bytes is over max_value_read_length {}; skipped",
                                 escape(reply.key, 250), reply.number, options.max_value_read_length));
}

}  // namespace memcache::detail
