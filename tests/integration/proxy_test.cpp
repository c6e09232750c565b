// The client through twemproxy (Debian's nutcracker): the fixture itself, and
// plain calls reaching the backends the proxy spreads keys over.

#include "common.hpp"
#include "nutcracker.hpp"

#include <algorithm>

namespace itest {
namespace {

using memcache::test::Nutcracker;

TEST_CASE("through nutcracker, values reach the backends and come back", "[proxy]") {
  MemcachedServer a, b;
  Nutcracker proxy({{a.spec(), b.spec()}});
  memcache::Client mc({proxy.spec()}, quick_options());

  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("proxy_key_" + std::to_string(i));
  for (const auto& k : keys) REQUIRE(mc.set(k, "value of " + k));

  for (const auto& k : keys) {
    auto v = mc.get(k);
    REQUIRE(v);
    CHECK(*v == "value of " + k);
  }
  // The proxy spread the keys: each lives on exactly one backend, and both
  // backends hold some.
  auto held = holders({&a, &b}, keys);
  CHECK(held[0].size() + held[1].size() == keys.size());
  CHECK(!held[0].empty());
  CHECK(!held[1].empty());
  for (const auto& k : keys) CHECK(holder_of({&a, &b}, k) >= 0);
}

// Two backends behind one nutcracker, keys spread over both, and which
// backend holds each key (asked of each backend directly).
struct ProxiedPair {
  MemcachedServer a, b;
  Nutcracker proxy{{{a.spec(), b.spec()}}};
  std::vector<std::string> on_a, on_b;

  ProxiedPair() {
    memcache::Client writer({proxy.spec()}, quick_options());
    std::vector<std::string> keys;
    for (int i = 0; i < 40; ++i) keys.push_back("pair_key_" + std::to_string(i));
    for (const auto& k : keys) REQUIRE(writer.set(k, "value of " + k));
    auto held = holders({&a, &b}, keys);
    on_a = held[0];
    on_b = held[1];
    REQUIRE(on_a.size() + on_b.size() == keys.size());
    REQUIRE(on_a.size() >= 2);
    REQUIRE(on_b.size() >= 2);
  }
};

memcache::Options proxy_options() {
  memcache::Options o = quick_options();
  // nutcracker answers for a dead backend after its own timeout (400 ms).
  o.socket_timeout = 3s;
  o.connect_timeout = 3s;
  return o;
}

TEST_CASE("every python-memcached call through nutcracker, values checked", "[proxy]") {
  MemcachedServer a, b;
  Nutcracker proxy({{a.spec(), b.spec()}});
  memcache::Options o = proxy_options();
  o.cache_cas = true;
  memcache::Client mc({proxy.spec()}, o);

  // storage and retrieval, each value type python-memcached stores
  CHECK(mc.set("bytes", "raw bytes", 300));
  CHECK(mc.get("bytes") == OptStr("raw bytes"));
  CHECK(mc.set("text", memcache::Text("h\xc3\xa9llo")));
  CHECK(mc.get<memcache::Text>("text")->str() == "h\xc3\xa9llo");
  CHECK(mc.set("int", 42));
  CHECK(mc.get<std::int64_t>("int") == 42);
  CHECK(mc.set("pickled", memcache::PyValue::dict({{"name", "alice"}, {"n", 3}})));
  CHECK((*mc.get<memcache::PyValue>("pickled"))["name"].as_str() == "alice");
  const std::string long_text(5000, 'z');
  CHECK(mc.set("compressed", long_text, 0, 100));
  CHECK(mc.get("compressed") == OptStr(long_text));

  CHECK(mc.add("added", "first"));
  CHECK_FALSE(mc.add("added", "second"));
  CHECK(mc.get("added") == OptStr("first"));
  CHECK(mc.replace("added", "replaced"));
  CHECK_FALSE(mc.replace("never_set", "x"));
  CHECK(mc.append("added", "+tail"));
  CHECK(mc.prepend("added", "head+"));
  CHECK(mc.get("added") == OptStr("head+replaced+tail"));

  // cas, both forms
  CHECK(mc.gets("added") == OptStr("head+replaced+tail"));
  CHECK(mc.cas("added", "cas one"));
  CHECK(mc.get("added") == OptStr("cas one"));
  auto r = mc.gets_cas("added");
  REQUIRE(r);
  CHECK(mc.cas_with("added", "cas two", r->cas_unique));
  CHECK_FALSE(mc.cas_with("added", "stale", r->cas_unique));
  CHECK(mc.get("added") == OptStr("cas two"));

  // counters, touch, delete
  CHECK(mc.set("counter", 10));
  CHECK(mc.incr("counter") == std::optional<std::uint64_t>(11));
  CHECK(mc.incr("counter", 9) == std::optional<std::uint64_t>(20));
  CHECK(mc.decr("counter", 25) == std::optional<std::uint64_t>(0));
  CHECK_FALSE(mc.incr("no_counter"));
  CHECK(mc.touch("counter", 300));
  CHECK_FALSE(mc.touch("no_counter", 300));
  CHECK(mc.del("counter"));
  CHECK_FALSE(mc.del("counter"));
  CHECK_FALSE(mc.get("counter"));

  // multi-key calls, with a prefix, over keys on both backends
  std::map<std::string, std::string> batch;
  for (int i = 0; i < 30; ++i) batch["m" + std::to_string(i)] = "multi value " + std::to_string(i);
  CHECK(mc.set_multi(batch, 0, "pfx:").empty());
  std::vector<std::string> names;
  for (const auto& [k, v] : batch) names.push_back(k);
  names.push_back("absent");
  auto found = mc.get_multi(names, "pfx:");
  CHECK(found.size() == batch.size());
  for (const auto& [k, v] : batch) CHECK(found[k] == v);
  CHECK(holders({&a, &b}, {"pfx:m0"})[0].size() + holders({&a, &b}, {"pfx:m0"})[1].size() == 1);
  CHECK(mc.delete_multi(std::vector<std::string>{"m0", "m1", "m2"}, 0, "pfx:"));
  CHECK(mc.get_multi(names, "pfx:").size() == batch.size() - 3);

  // noreply: sent, then confirmed through the proxy (a `version` resync)
  CHECK(mc.set("quiet", "shh", 0, 0, true));
  CHECK(mc.incr("int", 1, true) == std::nullopt);
  CHECK(mc.get("quiet") == OptStr("shh"));
  CHECK(mc.get<std::int64_t>("int") == 43);
  CHECK(mc.set_multi(std::map<std::string, std::string>{{"q1", "1"}, {"q2", "2"}}, 0, "", 0, true).empty());
  CHECK(mc.get_multi({"q1", "q2"}).size() == 2);

  // admin calls nutcracker does not support: reported, the proxy stays in use
  CHECK(mc.get_stats().empty());
  CHECK(mc.get("bytes") == OptStr("raw bytes"));
  CHECK_FALSE(mc.flush_all());  // nothing was flushed, and the call says so
  CHECK(mc.get("bytes") == OptStr("raw bytes"));
  CHECK(mc.get_slabs().empty());
  CHECK(mc.set("after_admin", "still here"));
  CHECK(mc.get("after_admin") == OptStr("still here"));
}

TEST_CASE("stats through nutcracker does not mark the proxy dead", "[proxy][admin]") {
  MemcachedServer a;
  Nutcracker proxy({{a.spec()}});
  memcache::Options o = proxy_options();
  o.dead_retry = 30s;
  LogCapture log;
  o.debug = true;
  o.log = log.sink();
  memcache::Client mc({proxy.spec()}, o);
  REQUIRE(mc.set("k", "v"));
  CHECK(mc.get_stats().empty());  // nutcracker closes the connection on `stats`
  // Data calls go on at once, not after dead_retry.
  CHECK(mc.get("k") == OptStr("v"));
  CHECK(mc.set("k2", "v2"));
  CHECK_FALSE(mc.flush_all());
  CHECK(mc.get("k2") == OptStr("v2"));
  CHECK_FALSE(log.contains("Marking dead"));
}

TEST_CASE("flush_all says whether every server confirmed", "[integration][admin]") {
  MemcachedServer a, b;
  memcache::Client mc({a.spec(), b.spec()}, quick_options());
  REQUIRE(mc.set("k", "v"));
  CHECK(mc.flush_all());
  CHECK_FALSE(mc.get("k"));
  b.kill();
  CHECK_FALSE(mc.flush_all());
  CHECK_FALSE(mc.flush_all());  // b is dead meanwhile: still not every server
}

TEST_CASE("one nutcracker backend down: only its keys fail", "[proxy]") {
  ProxiedPair pair;
  memcache::Options o = proxy_options();
  LogCapture log;
  o.debug = true;
  o.log = log.sink();
  memcache::Client mc({pair.proxy.spec()}, o);
  pair.b.kill();

  for (int round = 0; round < 2; ++round) {  // the second round after failures on the first
    for (const auto& k : pair.on_a) {
      CHECK(mc.get(k) == OptStr("value of " + k));
      CHECK(mc.set(k, "new value of " + k));
      CHECK(mc.get(k) == OptStr("new value of " + k));
      CHECK(mc.set(k, "value of " + k));
      CHECK(mc.touch(k, 300));
    }
    for (const auto& k : pair.on_b) {
      CHECK_FALSE(mc.get(k));
      CHECK_FALSE(mc.set(k, "lost"));
      CHECK_FALSE(mc.incr(k));
      CHECK_FALSE(mc.del(k));
      CHECK_FALSE(mc.touch(k, 300));
    }
  }
  // set_multi reports exactly the dead backend's keys.
  std::map<std::string, std::string> both;
  for (const auto& k : pair.on_a) both[k] = "multi " + k;
  for (const auto& k : pair.on_b) both[k] = "multi " + k;
  auto not_stored = mc.set_multi(both);
  std::sort(not_stored.begin(), not_stored.end());
  auto expected = pair.on_b;
  std::sort(expected.begin(), expected.end());
  CHECK(not_stored == expected);
  // get_multi over the live backend's keys.
  auto found = mc.get_multi(pair.on_a);
  CHECK(found.size() == pair.on_a.size());
  for (const auto& k : pair.on_a) CHECK(found[k] == "multi " + k);
  // The proxy itself was never marked dead.
  CHECK_FALSE(log.contains("Marking dead"));
}

TEST_CASE("one nutcracker backend down: get_multi over both backends keeps the live keys", "[proxy][!mayfail]") {
  // nutcracker answers a get that spans a dead backend with one SERVER_ERROR
  // for the whole line (and closes the connection), so which keys failed is
  // not said; keeping the live keys needs them asked again one by one.
  // Not done yet: see the report of issue #15.
  ProxiedPair pair;
  memcache::Client mc({pair.proxy.spec()}, proxy_options());
  pair.b.kill();
  std::vector<std::string> keys = pair.on_a;
  keys.insert(keys.end(), pair.on_b.begin(), pair.on_b.end());
  auto found = mc.get_multi(keys);
  CHECK(found.size() == pair.on_a.size());
  for (const auto& k : pair.on_a) CHECK(found[k] == "value of " + k);
}

}  // namespace
}  // namespace itest
