#include <memcache/expiry.hpp>

namespace memcache {
namespace {
// memcached reads exptime values above 30 days as absolute Unix times.
constexpr std::int64_t max_relative_seconds = 60 * 60 * 24 * 30;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

Expiry::Expiry(std::chrono::system_clock::time_point at)
    : seconds_(std::chrono::ceil<std::chrono::seconds>(at.time_since_epoch()).count()) {
  // Times this close to the epoch would read as "never" (0) or as relative
  // seconds; they are long past, so send "already expired".
  if (seconds_ <= max_relative_seconds) seconds_ = -1;
}

std::int64_t Expiry::from_duration(std::chrono::seconds d) {
  std::int64_t s = d.count();
  if (s <= 0) return s == 0 ? 0 : -1;  // negative: already expired
  if (s > max_relative_seconds) return unix_now() + s;
  return s;
}

}  // namespace memcache
