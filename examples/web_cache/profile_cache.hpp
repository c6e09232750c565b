// Profiles cached as Python dicts, shared with a Flask app (flask_app.py)
// that caches the same entries with python-memcached:
//
//     profile = mc.get(key)                  # a dict, or None
//     if profile is None:
//         profile = load_profile(id)
//         mc.set(key, profile, ttl)          # pickled, as python-memcached does
//     return jsonify(profile)
#ifndef WEB_CACHE_PROFILE_CACHE_HPP
#define WEB_CACHE_PROFILE_CACHE_HPP

#include <chrono>
#include <string>
#include <string_view>

#include <memcache/memcache.hpp>
#include <memcache/python.hpp>

namespace web_cache {

struct CachedProfile {
  std::string json;
  bool hit = false;  // true when memcached had it (whoever stored it)
};

/// The memcached key of profile `id`: `profile:<id>`, as flask_app.py names it.
std::string profile_key(std::string_view id);

/// The profile the "database" holds: a dict of str, int, float, bool, None
/// and a list, with "built_by": "c++" (flask_app.py's says "flask").
memcache::PyValue load_profile(std::string_view id);

/// Profile `id` as JSON: from memcached when either app cached it, else
/// loaded and cached for `ttl` as the dict Python reads back.
CachedProfile find_profile(memcache::Client& mc, std::string_view id, std::chrono::seconds ttl);

}  // namespace web_cache

#endif  // WEB_CACHE_PROFILE_CACHE_HPP
