#ifndef MEMCACHE_SRC_COMMANDS_CAS_CACHE_HPP
#define MEMCACHE_SRC_COMMANDS_CAS_CACHE_HPP

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace memcache::detail {

/// python-memcached's cas_ids (cache_cas): the cas unique of each key's last
/// `gets`, which `cas` uses. Thread-safe; one per client.
class CasCache {
 public:
  void remember(std::string_view key, std::uint64_t unique);
  std::optional<std::uint64_t> find(std::string_view key) const;
  /// reset_cas().
  void clear();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint64_t> ids_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_CAS_CACHE_HPP
