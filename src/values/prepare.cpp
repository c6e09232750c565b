#include "values/prepare.hpp"

#include <fmt/format.h>

#include <memcache/value.hpp>

#include "support/debug_log.hpp"
#include "values/compression.hpp"

namespace memcache::detail {

std::optional<PreparedValue> prepare_value(const Encoded& value, std::size_t min_compress_len, const Options& options,
                                           std::string& scratch) {
  std::string_view bytes = value.bytes();
  std::uint32_t flags = value.flags();
  if (min_compress_len != 0 && value.compressible() && bytes.size() > min_compress_len) {
    scratch = options.compressor ? options.compressor(bytes) : zlib_compress(bytes, options.compress_level);
    if (scratch.size() < bytes.size()) {
      bytes = scratch;
      flags |= flags::compressed;
    }
  }
  if (options.server_max_value_length != 0 && bytes.size() > options.server_max_value_length) {
    debug_log(options, fmt::format("value of {} bytes is over server_max_value_length {}; not stored", bytes.size(),
                                   options.server_max_value_length));
    return std::nullopt;
  }
  return PreparedValue{bytes, flags};
}

}  // namespace memcache::detail
