#include "profile_cache.hpp"

#include <optional>

namespace web_cache {

std::string profile_key(std::string_view id) { return "profile:" + std::string(id); }

memcache::PyValue load_profile(std::string_view id) {
  using memcache::PyValue;
  return PyValue::dict({{"id", std::stoll(std::string(id))},
                        {"name", "user-" + std::string(id)},
                        {"tags", PyValue::list({"reader", "writer"})},
                        {"score", 0.5},
                        {"active", true},
                        {"manager", nullptr},
                        {"built_by", "c++"}});
}

CachedProfile find_profile(memcache::Client& mc, std::string_view id, std::chrono::seconds ttl) {
  const std::string key = profile_key(id);
  std::optional<memcache::PyValue> cached;
  try {
    cached = mc.get<memcache::PyValue>(key);
  } catch (const memcache::ValueError&) {
    // Not plain data (a pickled class instance, say): a miss; the set below replaces it.
  }
  if (cached && cached->is_dict()) {
    try {
      return {cached->to_json(), true};
    } catch (const memcache::ValueError&) {
      // A dict JSON cannot show (bytes, sets): reload it.
    }
  }
  const memcache::PyValue profile = load_profile(id);
  // Pickled (flag 1, protocol 0), exactly as python-memcached stores the same
  // dict: the Flask app's mc.get(key) returns an equal dict.
  mc.set(key, profile, ttl);
  return {profile.to_json(), false};
}

}  // namespace web_cache
