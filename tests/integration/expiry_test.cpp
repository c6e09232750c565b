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
  // it is stored: start just after a tick, so that every short-lived item is
  // read back (and "touched-long" touched) within the same second.
  memcache::test::after_clock_tick(mc);
  const auto soon = std::chrono::system_clock::now() + 1s;

  // Every way of saying "about one second", all waited for at once.
  CHECK(mc.set("int", "v", 1));
  CHECK(mc.set("duration", "v", std::chrono::seconds(1)));
  CHECK(mc.set("millis", "v", std::chrono::milliseconds(500)));  // rounds up to 1 s, not 0 = never
  CHECK(mc.set("point", "v", soon));
  CHECK(mc.add("added", "v", 1));
  CHECK(mc.set_multi(std::map<std::string, std::string>{{"multi", "v"}}, 1).empty());
  CHECK(mc.set("touched-short", "v", 300));
  CHECK(mc.touch("touched-short", 1));
  CHECK(mc.set("touched-duration", "v"));
  CHECK(mc.touch("touched-duration", std::chrono::seconds(1)));
  // and values that must survive the wait
  CHECK(mc.set("forever", "v"));
  CHECK(mc.set("long-int", "v", 300));
  CHECK(mc.set("long-duration", "v", std::chrono::minutes(5)));
  CHECK(mc.set("long-point", "v", std::chrono::system_clock::now() + std::chrono::hours(1)));
  CHECK(mc.set("absolute-int", "v", unix_now() + 3600));  // over 30 days: an absolute time
  CHECK(mc.set("over-30-days", "v", std::chrono::hours(24 * 31)));
  CHECK(mc.set("touched-long", "v", 1));
  CHECK(mc.touch("touched-long", 300));

  const std::vector<std::string> short_lived{"int",   "duration", "millis",        "point",
                                             "added", "multi",    "touched-short", "touched-duration"};
  const std::vector<std::string> long_lived{"forever",      "long-int",     "long-duration", "long-point",
                                            "absolute-int", "over-30-days", "touched-long"};
  CHECK(mc.get_multi(short_lived).size() == short_lived.size());

  // memcached's clock ticks once a second: poll rather than sleep a fixed time.
  const auto start = Clock::now();
  while (!mc.get_multi(short_lived).empty() && Clock::now() - start < 4s) std::this_thread::sleep_for(50ms);
  CHECK(mc.get_multi(short_lived).empty());
  CHECK(ms_since(start) < 3500);

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
