#include "commands/cas_cache.hpp"

namespace memcache::detail {

void CasCache::remember(std::string_view key, std::uint64_t unique) {
  std::lock_guard<std::mutex> lock(mutex_);
  ids_.insert_or_assign(std::string(key), unique);
}

std::optional<std::uint64_t> CasCache::find(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = ids_.find(std::string(key));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void CasCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  ids_.clear();
}

}  // namespace memcache::detail
