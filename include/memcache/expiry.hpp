#ifndef MEMCACHE_EXPIRY_HPP
#define MEMCACHE_EXPIRY_HPP

#include <chrono>
#include <cstdint>
#include <type_traits>

#include <memcache/export.hpp>

namespace memcache {

/// The `time` argument of storage calls.
///
/// - an integer: memcached's own meaning, passed as is (0 never expires;
///   above 30 days it is an absolute Unix time);
/// - a `std::chrono` duration: relative, rounded up to whole seconds (so 500 ms
///   does not become 0 = "never"); durations over 30 days are sent as the
///   absolute time they end at, which is what memcached needs;
/// - a `std::chrono::system_clock::time_point`: absolute.
///
///     mc.set("k", "v", 300);
///     mc.set("k", "v", std::chrono::minutes(5));
class MEMCACHE_API Expiry {
 public:
  constexpr Expiry() = default;

  template <class Int, std::enable_if_t<std::is_integral_v<Int>, int> = 0>
  constexpr Expiry(Int seconds) : seconds_(static_cast<std::int64_t>(seconds)) {}

  template <class Rep, class Period>
  Expiry(std::chrono::duration<Rep, Period> d)
      : seconds_(d < d.zero() ? -1 : from_duration(std::chrono::ceil<std::chrono::seconds>(d))) {}

  Expiry(std::chrono::system_clock::time_point at);

  /// The number memcached receives as `exptime`.
  constexpr std::int64_t wire_value() const { return seconds_; }

 private:
  static std::int64_t from_duration(std::chrono::seconds d);

  std::int64_t seconds_ = 0;
};

}  // namespace memcache

#endif  // MEMCACHE_EXPIRY_HPP
