// Servers that die, stall, come back empty, or come back at all: calls fail
// quickly as values (nullopt / false), dead servers are skipped with
// python-memcached's rehash, and are used again after dead_retry.

#include <thread>

#include "common.hpp"

using namespace itest;

namespace {

constexpr long long slack_ms = 300;  // scheduling noise on a loaded 2-core box

std::map<std::string, std::string> numbered(const std::string& stem, int count) {
  std::map<std::string, std::string> out;
  for (int i = 0; i < count; ++i) {
    const std::string key = stem + std::to_string(i);
    out.emplace(key, "value of " + key);
  }
  return out;
}

std::vector<std::string> keys_of(const std::map<std::string, std::string>& m) {
  std::vector<std::string> out;
  for (const auto& kv : m) out.push_back(kv.first);
  return out;
}

// Stores `batch` through a client of the same servers with default
// timeouts. Setup through the client under test (200 ms) could time out on a
// loaded machine, mark a server dead and move keys before the test begins.
void store(const MemcachedServer& s0, const MemcachedServer& s1, const std::map<std::string, std::string>& batch) {
  memcache::Client writer({s0.spec(), s1.spec()}, options());
  REQUIRE(writer.set_multi(batch).empty());
}

}  // namespace

TEST_CASE("a killed server: its keys fail fast, then rehash, it is used again after dead_retry", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport), s2(transport);
  const std::vector<const MemcachedServer*> servers{&s0, &s1, &s2};
  LogCapture log;
  memcache::Options options = quick_options();  // socket_timeout 200 ms, dead_retry 1 s
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({s0.spec(), s1.spec(), s2.spec()}, options);

  const auto batch = numbered("key", 300);
  const auto keys = keys_of(batch);
  REQUIRE(mc.set_multi(batch).empty());
  const auto held = holders(servers, keys);
  REQUIRE(held[1].size() > 20);
  for (const auto& k : held[1]) REQUIRE(python_server(k, 3, {false, false, false}) == 1);
  std::map<std::string, std::string> on_live;
  for (int s : {0, 2}) {
    for (const auto& k : held[static_cast<std::size_t>(s)]) on_live.emplace(k, batch.at(k));
  }
  const std::string& victim = held[1][0];

  s1.kill();

  // The first call for its key fails as a value, quickly, and marks it dead.
  auto start = Clock::now();
  CHECK(mc.get(victim) == std::nullopt);
  CHECK(ms_since(start) < 200 + slack_ms);
  CHECK(log.contains("Marking dead"));
  const auto marked_dead = Clock::now();

  // Calls on the others keep succeeding; the dead server's keys rehash to
  // live servers exactly as python-memcached rehashes them (misses there).
  start = Clock::now();
  auto found = mc.get_multi(keys);
  CHECK(found.size() == on_live.size());
  for (const auto& [k, v] : on_live) CHECK(found[k] == v);
  CHECK(mc.get(held[0][0]) == OptStr(batch.at(held[0][0])));
  CHECK(mc.get(held[2][0]) == OptStr(batch.at(held[2][0])));
  for (std::size_t i = 1; i < 6; ++i) {
    const std::string& k = held[1][i];
    INFO(k);
    CHECK(mc.get(k) == std::nullopt);
    CHECK(mc.set(k, "rehashed " + k));
    const int expected = python_server(k, 3, {false, true, false});
    CHECK((expected == 0 || expected == 2));
    CHECK(probe(*servers[static_cast<std::size_t>(expected)]).get(k) == OptStr("rehashed " + k));
    CHECK(mc.get(k) == OptStr("rehashed " + k));
  }
  CHECK(mc.delete_multi(keys_of(numbered("nothing", 10))));  // every key had a live server
  CHECK(mc.get_stats().size() == 2);
  CHECK(ms_since(start) < 1500);

  // Restarted and past dead_retry: used again (and empty).
  s1.restart();
  std::this_thread::sleep_until(marked_dead + options.dead_retry + 50ms);
  const std::string& back = held[1][1];
  CHECK(mc.get(back) == std::nullopt);  // on s1 again, which is empty
  CHECK(mc.set(back, "back"));
  CHECK(probe(s1).get(back) == OptStr("back"));
  CHECK(mc.get(back) == OptStr("back"));
  CHECK(mc.get_stats().size() == 3);
  found = mc.get_multi(keys);
  for (const auto& [k, v] : on_live) CHECK(found[k] == v);
}

TEST_CASE("multi-key calls while a server fails: its keys are reported, then rehashed", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport);
  memcache::Options options = quick_options();
  options.dead_retry = std::chrono::seconds(30);
  memcache::Client mc({s0.spec(), s1.spec()}, options);

  const auto batch = numbered("key", 200);
  const auto keys = keys_of(batch);
  store(s0, s1, batch);
  auto held = holders({&s0, &s1}, keys);
  REQUIRE(held[1].size() > 10);
  std::sort(held[1].begin(), held[1].end());

  SECTION("stalled: exactly its keys are not stored") {
    s1.pause();
    auto failed = mc.set_multi(batch);
    std::sort(failed.begin(), failed.end());
    CHECK(failed == held[1]);
    s1.resume();
  }
  SECTION("killed: its keys are reported, or rehashed if the dead connection was noticed first") {
    s1.kill();
    auto failed = mc.set_multi(batch);
    std::sort(failed.begin(), failed.end());
    CHECK((failed.empty() || failed == held[1]));
    auto found = mc.get_multi(keys);
    CHECK(found.size() == keys.size() - failed.size());
    for (const auto& k : keys) CHECK(found.count(k) != (std::binary_search(failed.begin(), failed.end(), k) ? 1u : 0u));
  }

  // s1 is dead now: its keys go to s0 and everything is stored and found.
  CHECK(mc.set_multi(batch).empty());
  auto found = mc.get_multi(keys);
  CHECK(found.size() == keys.size());
  for (const auto& [k, v] : found) CHECK(v == batch.at(k));
  CHECK(probe(s0).get_multi(keys).size() == keys.size());
  CHECK(mc.delete_multi(keys));
  CHECK(mc.get_multi(keys).empty());
}

TEST_CASE("forget_dead_hosts takes a dead server back at once", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport);
  memcache::Options options = quick_options();
  options.dead_retry = std::chrono::seconds(30);
  memcache::Client mc({s0.spec(), s1.spec()}, options);

  const auto batch = numbered("k", 100);
  store(s0, s1, batch);
  const auto held = holders({&s0, &s1}, keys_of(batch));
  REQUIRE(!held[1].empty());
  const std::string& victim = held[1][0];

  s1.kill();
  CHECK(mc.get(victim) == std::nullopt);  // marks it dead
  s1.restart();

  // Still dead for 30 s: the key goes to s0.
  CHECK(mc.set(victim, "while dead"));
  CHECK(probe(s0).get(victim) == OptStr("while dead"));
  CHECK(probe(s1).get(victim) == std::nullopt);
  CHECK(mc.get_stats().size() == 1);

  mc.forget_dead_hosts();
  CHECK(mc.get(victim) == std::nullopt);  // s1 again: restarted empty
  CHECK(mc.set(victim, "revived"));
  CHECK(probe(s1).get(victim) == OptStr("revived"));
  CHECK(mc.get(victim) == OptStr("revived"));
  CHECK(mc.get_stats().size() == 2);
}

TEST_CASE("flush_on_reconnect flushes a server that comes back", "[integration]") {
  MemcachedServer s0, s1;
  const bool flush = GENERATE(true, false);
  INFO("flush_on_reconnect " << flush);
  memcache::Options options = quick_options();
  options.dead_retry = std::chrono::seconds(30);
  options.flush_on_reconnect = flush;
  memcache::Client mc({s0.spec(), s1.spec()}, options);

  const auto batch = numbered("k", 100);
  REQUIRE(mc.set_multi(batch).empty());
  const auto held = holders({&s0, &s1}, keys_of(batch));
  REQUIRE(held[1].size() > 1);
  const std::string& victim = held[1][0];
  const std::string& other = held[1][1];

  // Stalled, not killed: its data survives, so only a flush can clear it.
  s1.pause();
  CHECK(mc.get(victim) == std::nullopt);  // times out, marks it dead
  s1.resume();
  CHECK(probe(s1).get(victim) == OptStr(batch.at(victim)));

  mc.forget_dead_hosts();
  if (flush) {
    CHECK(mc.get(victim) == std::nullopt);
    CHECK(probe(s1).get(other) == std::nullopt);
    CHECK(server_stat(s1, "cmd_flush") == 1);
    CHECK(server_stat(s0, "cmd_flush") == 0);
    // Flushed once, not on every new connection.
    CHECK(mc.set(victim, "fresh"));
    mc.disconnect_all();
    CHECK(mc.get(victim) == OptStr("fresh"));
    CHECK(server_stat(s1, "cmd_flush") == 1);
  } else {
    CHECK(mc.get(victim) == OptStr(batch.at(victim)));
    CHECK(server_stat(s1, "cmd_flush") == 0);
  }
  // s0 is never flushed.
  CHECK(probe(s0).get(held[0][0]) == OptStr(batch.at(held[0][0])));
}

TEST_CASE("a paused server: calls return within socket_timeout, then it works again", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport);
  memcache::Options options = quick_options();  // socket_timeout 200 ms, dead_retry 1 s
  memcache::Client mc({s0.spec(), s1.spec()}, options);

  const auto batch = numbered("key", 200);
  const auto keys = keys_of(batch);
  store(s0, s1, batch);
  const auto held = holders({&s0, &s1}, keys);
  REQUIRE(held[1].size() > 10);
  std::unordered_map<std::string, std::string> on_s0;
  for (const auto& k : held[0]) on_s0.emplace(k, batch.at(k));

  s1.pause();
  // A multi-key call waits for the stalled server no longer than
  // socket_timeout and still returns what the other server had.
  auto start = Clock::now();
  auto found = mc.get_multi(keys);
  const auto elapsed = ms_since(start);
  CHECK(elapsed >= 150);
  CHECK(elapsed < 200 + slack_ms);
  CHECK(found == on_s0);
  const auto marked_dead = Clock::now();

  // Now dead: its keys rehash to s0 at once (misses), s0's keys still work.
  // Five calls that each waited for the paused server would take >= 1 s.
  start = Clock::now();
  for (std::size_t i = 0; i < 5; ++i) CHECK(mc.get(held[1][i]) == std::nullopt);
  CHECK(ms_since(start) < 600);
  CHECK(mc.get(held[0][0]) == OptStr(batch.at(held[0][0])));
  CHECK(mc.get_stats().size() == 1);

  // The paused server's connection held a request whose reply comes late:
  // after the resume, every call still gets its own reply.
  s1.resume();
  std::this_thread::sleep_until(marked_dead + options.dead_retry + 50ms);
  for (std::size_t i = 0; i < 10; ++i) CHECK(mc.get(held[1][i]) == OptStr(batch.at(held[1][i])));
  found = mc.get_multi(keys);
  CHECK(found.size() == keys.size());
  for (const auto& [k, v] : found) CHECK(v == batch.at(k));
  CHECK(mc.set(held[1][0], "updated"));
  CHECK(probe(s1).get(held[1][0]) == OptStr("updated"));
  CHECK(mc.get_stats().size() == 2);
}

TEST_CASE("a single paused server: every kind of call returns in time", "[integration]") {
  MemcachedServer server;
  memcache::Options options = quick_options();
  options.dead_retry = std::chrono::seconds(0);  // never skipped: each call really waits
  memcache::Client mc({server.spec()}, options);
  CHECK(mc.set("k", "v"));
  CHECK(mc.set("n", 1));

  server.pause();
  auto timed = [](auto&& call) {
    const auto start = Clock::now();
    call();
    return ms_since(start);
  };
  // Each call mutates its own key: the stalled requests are carried out when
  // the server resumes, and must not disturb what is checked below.
  CHECK(timed([&] { CHECK(mc.get("k") == std::nullopt); }) < 200 + slack_ms);
  CHECK(timed([&] { CHECK_FALSE(mc.set("w", "w")); }) < 200 + slack_ms);
  CHECK(timed([&] { CHECK(mc.incr("n") == std::nullopt); }) < 200 + slack_ms);
  CHECK(timed([&] { CHECK_FALSE(mc.del("d")); }) < 200 + slack_ms);
  CHECK(timed([&] { CHECK(mc.get_multi({"k", "n"}).empty()); }) < 200 + slack_ms);
  CHECK(timed([&] { CHECK(mc.get_stats().empty()); }) < 200 + slack_ms);
  server.resume();

  // Values intact and every reply matched to its own request.
  CHECK(mc.get("k") == OptStr("v"));
  CHECK(mc.set("k", "final"));
  CHECK(mc.get("k") == OptStr("final"));
  CHECK(mc.get_multi({"k"}) == std::unordered_map<std::string, std::string>{{"k", "final"}});
  CHECK(mc.get_stats().size() == 1);
}

TEST_CASE("a server restarted empty gives misses, not errors", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, quick_options());
  CHECK(mc.set("k", "v"));
  CHECK(mc.set("n", 5));
  const auto old_pid = server.pid();

  server.kill();
  server.restart();
  REQUIRE(server.pid() != old_pid);

  // The pooled connection went with the old process: the call that finds
  // out returns a miss, no exception.
  CHECK(mc.get("k") == std::nullopt);
  mc.forget_dead_hosts();
  CHECK(mc.get("k") == std::nullopt);
  CHECK(mc.get_multi({"k", "n"}).empty());
  CHECK(mc.incr("n") == std::nullopt);
  CHECK_FALSE(mc.del("k"));
  CHECK_FALSE(mc.touch("k", 10));
  CHECK_FALSE(mc.replace("k", "x"));
  auto stats = mc.get_stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].second.at("pid") == std::to_string(server.pid()));
  CHECK(mc.set("k", "new"));
  CHECK(mc.get("k") == OptStr("new"));
}

TEST_CASE("no server reachable: every call fails as a value, quickly", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  const std::string spec = server.spec();
  server.kill();
  LogCapture log;
  memcache::Options options = quick_options();
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({spec}, options);

  const auto start = Clock::now();
  CHECK(mc.get("k") == std::nullopt);
  CHECK(mc.gets("k") == std::nullopt);
  CHECK_FALSE(mc.gets_cas("k").has_value());
  CHECK_FALSE(mc.set("k", "v"));
  CHECK_FALSE(mc.add("k", "v"));
  CHECK_FALSE(mc.replace("k", "v"));
  CHECK_FALSE(mc.append("k", "v"));
  CHECK_FALSE(mc.prepend("k", "v"));
  CHECK_FALSE(mc.cas("k", "v"));
  CHECK_FALSE(mc.cas_with("k", "v", 1));
  CHECK_FALSE(mc.touch("k"));
  CHECK_FALSE(mc.del("k"));
  CHECK(mc.incr("k") == std::nullopt);
  CHECK(mc.decr("k") == std::nullopt);
  CHECK(mc.get_multi({"a", "b"}).empty());
  std::map<std::string, std::string> batch{{"a", "1"}, {"b", "2"}};
  auto failed = mc.set_multi(batch, 0, "p:");
  std::sort(failed.begin(), failed.end());
  CHECK(failed == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(mc.delete_multi({"a", "b"}));
  CHECK(mc.get_stats().empty());
  CHECK(mc.get_slabs().empty());
  CHECK_NOTHROW(mc.flush_all());
  CHECK(ms_since(start) < 1000);
  CHECK(log.contains("Marking dead"));
}
