#include "user_cache.hpp"

#include <optional>

#include "slow_database.hpp"

namespace web_cache {

std::string user_key(std::string_view id) { return "user:" + std::string(id); }

CachedUser find_user(memcache::Client& mc, std::string_view id, std::chrono::seconds ttl) {
  const std::string key = user_key(id);
  std::optional<memcache::Text> cached;
  try {
    cached = mc.get<memcache::Text>(key);
  } catch (const memcache::ValueError&) {
    // Something else (an int, a pickle) sits under our key: treat it as a
    // miss, and the set below replaces it.
  }
  if (cached) return {std::move(cached).value().str(), true};

  std::string json = load_user(id);
  // Text (flag 16) so that a Python reader gets a str, as if json.dumps() had
  // stored it. A failed set is not an error: the next request just misses.
  mc.set(key, memcache::Text(json), ttl);
  return {std::move(json), false};
}

}  // namespace web_cache
