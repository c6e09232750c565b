#ifndef MEMCACHE_SRC_VALUES_PREPARE_HPP
#define MEMCACHE_SRC_VALUES_PREPARE_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <memcache/detail/encoded.hpp>
#include <memcache/options.hpp>

namespace memcache::detail {

/// A value ready for the wire: its bytes and flags.
struct PreparedValue {
  std::string_view bytes;
  std::uint32_t flags = 0;
};

/// python-memcached's _val_to_store_info after the type step (the codec):
/// compresses when `min_compress_len` asks for it and the result is smaller
/// (into `scratch`), and refuses (nullopt, logged under `debug`) a value over
/// server_max_value_length. The result views `value` or `scratch`.
std::optional<PreparedValue> prepare_value(const Encoded& value, std::size_t min_compress_len, const Options& options,
                                           std::string& scratch);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_VALUES_PREPARE_HPP
