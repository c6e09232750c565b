// Cache-aside in front of the slow database: the part of this example worth
// copying. In Python with python-memcached it would read:
//
//     user = mc.get(key)
//     if user is None:
//         user = load_user(id)
//         mc.set(key, user, ttl)
//
// but here it is one stampede-safe call, `mc.get_or_set(key, load, ttl)`:
// when a popular user expires, one request (in the whole cluster) queries
// the database while the others wait for its value.
#ifndef WEB_CACHE_USER_CACHE_HPP
#define WEB_CACHE_USER_CACHE_HPP

#include <chrono>
#include <string>
#include <string_view>

#include <memcache/memcache.hpp>

namespace web_cache {

struct CachedUser {
  std::string json;
  bool hit = false;  // true when memcached had it
};

/// The memcached key of user `id`: `user:<id>`. A Python app sharing the
/// cache must use the same key to see the same entries.
std::string user_key(std::string_view id);

/// User `id` from memcached, or from the database (then kept for `ttl`),
/// queried once however many requests miss at the same time. A memcached
/// that is down or slow only costs hits: the database answers.
CachedUser find_user(memcache::Client& mc, std::string_view id, std::chrono::seconds ttl);

}  // namespace web_cache

#endif  // WEB_CACHE_USER_CACHE_HPP
