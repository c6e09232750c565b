// The expensive thing the cache protects: here a sleep, in real life a query.
#ifndef WEB_CACHE_SLOW_DATABASE_HPP
#define WEB_CACHE_SLOW_DATABASE_HPP

#include <chrono>
#include <string>
#include <string_view>

namespace web_cache {

/// How long every lookup takes, so that a cache miss is easy to see.
inline constexpr std::chrono::milliseconds database_delay{200};

/// The user `id` as JSON: `{"id":"42","name":"user-42"}`. Every id exists.
/// `id` must be digits only (the router checks), so nothing needs escaping.
std::string load_user(std::string_view id);

}  // namespace web_cache

#endif  // WEB_CACHE_SLOW_DATABASE_HPP
