#ifndef MEMCACHE_SRC_PREPARED_VALUE_HPP
#define MEMCACHE_SRC_PREPARED_VALUE_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <memcache/options.hpp>

namespace memcache::detail {

/// A value ready for the wire: its bytes and flags.
struct PreparedValue {
  std::string_view bytes;
  std::uint32_t flags = 0;
};

/// python-memcached's _val_to_store_info after the type step: compresses
/// when `min_compress_len` asks for it and the result is smaller (into
/// `scratch`), and refuses (nullopt, logged) a value over
/// server_max_value_length.
std::optional<PreparedValue> prepare_value(std::string_view bytes, std::uint32_t flags, bool compressible,
                                           std::size_t min_compress_len, const Options& options,
                                           std::string& scratch,
                                           const std::function<void(std::string_view)>& log);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_PREPARED_VALUE_HPP
