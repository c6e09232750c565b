// Expiry as ints, chrono durations and time points; short TTLs really expire.

#include <thread>

#include "common.hpp"
#include "server_clock.hpp"

using namespace itest;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("short TTLs expire, long ones and touched ones do not", "[integration]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, itest::options());
  // A 1 s item expires at memcached's next tick, which may come right after
  // it is stored: start just after a tick, so that the short-lived items are
  // normally read back within the same second of the server's clock.
  const std::int64_t ticked = memcache::test::after_clock_tick(mc);
  // A short TTL made long by a touch. Only a pause of the machine longer
  // than the 2 s TTL (as seen on memcached's clock) may let the item expire
  // before the touch; then once more.
  std::int64_t touched_by = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::int64_t set_at = memcache::test::server_time(mc);
    REQUIRE(mc.set("touched-long", "v", 2));
    const bool touched = mc.touch("touched-long", 300);
    touched_by = memcache::test::server_time(mc);
    if (touched) break;
    CHECK(touched_by >= set_at + 2);
  }

  // Every way of saying "about one second", all waited for at once.
  CHECK(mc.set("int", "v", 1));
  CHECK(mc.set("duration", "v", std::chrono::seconds(1)));
  CHECK(mc.set("millis", "v", std::chrono::milliseconds(500)));  // rounds up to 1 s, not 0 = never
  CHECK(mc.set("point", "v", std::chrono::system_clock::now() + 1s));
  CHECK(mc.add("added", "v", 1));
  CHECK(mc.set_multi(std::map<std::string, std::string>{{"multi", "v"}}, 1).empty());
  CHECK(mc.set("touched-short", "v", 300));
  CHECK(mc.touch("touched-short", 1));
  CHECK(mc.set("touched-duration", "v"));
  CHECK(mc.touch("touched-duration", std::chrono::seconds(1)));
  const std::vector<std::string> short_lived{"int",   "duration", "millis",        "point",
                                             "added", "multi",    "touched-short", "touched-duration"};
  const auto stored = mc.get_multi(short_lived);
  const std::int64_t stored_by = memcache::test::server_time(mc);
  // All there while the server's clock has not ticked since; after a tick
  // (a loaded machine), those stored before it may be gone already.
  INFO("server clock " << ticked << " before the stores, " << stored_by << " after the read");
  CHECK((stored.size() == short_lived.size() || stored_by > ticked));

  // and values that must survive the wait
  CHECK(mc.set("forever", "v"));
  CHECK(mc.set("long-int", "v", 300));
  CHECK(mc.set("long-duration", "v", std::chrono::minutes(5)));
  CHECK(mc.set("long-point", "v", std::chrono::system_clock::now() + std::chrono::hours(1)));
  CHECK(mc.set("absolute-int", "v", unix_now() + 3600));  // over 30 days: an absolute time
  CHECK(mc.set("over-30-days", "v", std::chrono::hours(24 * 31)));
  const std::vector<std::string> long_lived{"forever",      "long-int",     "long-duration", "long-point",
                                            "absolute-int", "over-30-days", "touched-long"};

  // Gone by the time memcached's own clock reads 4 s past the stores (the
  // wall clock does not tell: a loaded machine runs the server's ticks and
  // the stores late): a relative TTL of 1 s ends 1 s after its store, a time
  // point's Unix time within 3 (it is rounded up, and memcached's clock and
  // the wall clock differ by up to a second). Polled, not slept.
  const auto give_up = Clock::now() + 30s;
  while (!mc.get_multi(short_lived).empty() && memcache::test::server_time(mc) < stored_by + 4 &&
         Clock::now() < give_up) {
    std::this_thread::sleep_for(50ms);
  }
  CHECK(mc.get_multi(short_lived).empty());
  // and past the 2 s "touched-long" had before its touch
  while (memcache::test::server_time(mc) < touched_by + 2 && Clock::now() < give_up) std::this_thread::sleep_for(50ms);

  auto alive = mc.get_multi(long_lived);
  CHECK(alive.size() == long_lived.size());
  for (const auto& k : long_lived) CHECK(alive.count(k) == 1);
}

TEST_CASE("expiry in the past: never readable", "[integration]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, itest::options());
  CHECK(mc.set("past-point", "v", std::chrono::system_clock::now() - 1h));
  CHECK(mc.set("past-absolute", "v", unix_now() - 3600));
  CHECK(mc.set("negative", "v", -1));
  CHECK(mc.set("negative-duration", "v", -5s));
  CHECK(mc.get_multi({"past-point", "past-absolute", "negative", "negative-duration"}).empty());
  // and 0 means never
  CHECK(mc.set("zero", "v", 0));
  CHECK(mc.set("zero-duration", "v", 0s));
  CHECK(mc.get_multi({"zero", "zero-duration"}).size() == 2);
}
