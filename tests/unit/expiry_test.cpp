// The `time` argument: seconds, durations and points in time.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>

#include <memcache/expiry.hpp>

using memcache::Expiry;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t thirty_days = 60 * 60 * 24 * 30;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("Expiry: integers are passed as is", "[unit]") {
  CHECK(Expiry().wire_value() == 0);
  CHECK(Expiry(0).wire_value() == 0);
  CHECK(Expiry(300).wire_value() == 300);
  CHECK(Expiry(thirty_days).wire_value() == thirty_days);
  CHECK(Expiry(thirty_days + 1).wire_value() == thirty_days + 1);  // memcached reads it as a Unix time
  CHECK(Expiry(2000000000LL).wire_value() == 2000000000);
  CHECK(Expiry(-1).wire_value() == -1);
  CHECK(Expiry(7u).wire_value() == 7);
  CHECK(Expiry(short{5}).wire_value() == 5);
  static_assert(Expiry(42).wire_value() == 42, "integers are constexpr");
}

TEST_CASE("Expiry: durations are relative and rounded up", "[unit]") {
  CHECK(Expiry(500ms).wire_value() == 1);
  CHECK(Expiry(1ms).wire_value() == 1);
  CHECK(Expiry(1us).wire_value() == 1);
  CHECK(Expiry(1000ms).wire_value() == 1);
  CHECK(Expiry(1001ms).wire_value() == 2);
  CHECK(Expiry(1500ms).wire_value() == 2);
  CHECK(Expiry(1s).wire_value() == 1);
  CHECK(Expiry(5min).wire_value() == 300);
  CHECK(Expiry(2h).wire_value() == 7200);
  CHECK(Expiry(std::chrono::duration<double>(0.2)).wire_value() == 1);
  CHECK(Expiry(0s).wire_value() == 0);
  CHECK(Expiry(std::chrono::seconds(thirty_days)).wire_value() == thirty_days);
  CHECK(Expiry(-5s).wire_value() == -1);  // already expired
}

TEST_CASE("Expiry: durations over 30 days become absolute", "[unit]") {
  const std::int64_t before = unix_now();
  const std::int64_t got = Expiry(std::chrono::seconds(thirty_days + 1)).wire_value();
  const std::int64_t year = Expiry(std::chrono::hours(24 * 365)).wire_value();
  const std::int64_t after = unix_now();
  CHECK(got >= before + thirty_days + 1);
  CHECK(got <= after + thirty_days + 1);
  CHECK(year >= before + 365 * 86400);
  CHECK(year <= after + 365 * 86400);
}

TEST_CASE("Expiry: time points are absolute Unix times", "[unit]") {
  using std::chrono::system_clock;
  CHECK(Expiry(system_clock::from_time_t(2000000000)).wire_value() == 2000000000);
  CHECK(Expiry(system_clock::from_time_t(2000000000) + 500ms).wire_value() == 2000000001);
  CHECK(Expiry(system_clock::from_time_t(1700000000) + 1s).wire_value() == 1700000001);

  const std::int64_t before = unix_now();
  const std::int64_t soon = Expiry(system_clock::now() + 10s).wire_value();
  const std::int64_t after = unix_now();
  CHECK(soon >= before + 10);
  CHECK(soon <= after + 11);

  // The epoch and before would read as "never expires": sent as expired.
  CHECK(Expiry(system_clock::from_time_t(0)).wire_value() == -1);
  CHECK(Expiry(system_clock::from_time_t(0) - 1h).wire_value() == -1);
}

TEST_CASE("Expiry: edge cases that must not read as 'never' or 'relative'", "[unit]") {
  // A negative duration under a second rounds up to 0 s, which memcached
  // reads as "never expires", while -1 s is sent as expired (expiry.hpp:
  // ceil<seconds> before from_duration).
  CHECK(Expiry(-500ms).wire_value() == -1);
  // A time point within 30 days after the epoch is in the past, but
  // memcached would read its small number as a relative time (expiry.cpp,
  // Expiry(time_point)).
  CHECK(Expiry(std::chrono::system_clock::from_time_t(1000)).wire_value() == -1);
}
