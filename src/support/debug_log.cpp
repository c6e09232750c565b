#include "support/debug_log.hpp"

#include <cstdio>

namespace memcache::detail {

void debug_log(const Options& options, std::string_view message) {
  if (!options.debug) return;
  if (options.log) {
    options.log(message);
  } else {
    std::fprintf(stderr, "MemCached: %.*s\n", static_cast<int>(message.size()), message.data());
  }
}

}  // namespace memcache::detail
