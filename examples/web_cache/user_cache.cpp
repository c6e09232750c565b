#include "user_cache.hpp"

#include "slow_database.hpp"

namespace web_cache {

std::string user_key(std::string_view id) { return "user:" + std::string(id); }

CachedUser find_user(memcache::Client& mc, std::string_view id, std::chrono::seconds ttl) {
  const std::string key = user_key(id);
  bool loaded = false;
  auto load = [&] {
    loaded = true;
    // Text (flag 16) so that a Python reader gets a str, as if json.dumps()
    // had stored it.
    return memcache::Text(load_user(id));
  };
  try {
    // One database query per expired user, however many requests miss it at
    // once, in this process or any other: the others wait for its value.
    // With memcached down, load() runs and its value is served.
    memcache::Text json = mc.get_or_set(key, load, ttl);
    return {std::move(json).str(), !loaded};
  } catch (const memcache::ValueError&) {
    // Something else (an int, a pickle) sits under our key: replace it.
    std::string json = load_user(id);
    mc.set(key, memcache::Text(json), ttl);
    return {std::move(json), false};
  }
}

}  // namespace web_cache
