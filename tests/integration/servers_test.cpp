// Server-level calls: get_stats, get_slabs, flush_all, disconnect_all,
// set_servers, debuglog, construction, and where keys land.

#include "common.hpp"

using namespace itest;

TEST_CASE("get_stats: one entry per server, python-memcached's names", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport);
  memcache::Client mc({s0.spec(), {s1.spec(), 3}}, itest::options());

  auto stats = mc.get_stats();
  REQUIRE(stats.size() == 2);  // per server, not per bucket
  CHECK(stats[0].first == s0.spec() + " (1)");
  CHECK(stats[1].first == s1.spec() + " (3)");
  if (transport == Transport::tcp) CHECK(stats[0].first == "127.0.0.1:" + std::to_string(s0.port()) + " (1)");
  CHECK(stats[0].second.at("pid") == std::to_string(s0.pid()));
  CHECK(stats[1].second.at("pid") == std::to_string(s1.pid()));
  CHECK(stats[0].second.at("version") == stats[1].second.at("version"));

  auto settings = mc.get_stats("settings");
  REQUIRE(settings.size() == 2);
  CHECK(settings[0].second.at("item_size_max") == "1048576");
  CHECK(settings[0].second.count("pid") == 0);
}

TEST_CASE("get_slabs reports items per slab", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());
  CHECK(mc.get_slabs() == memcache::ServerSlabs{{server.spec() + " (1)", {}}});

  CHECK(mc.set("a", "small"));
  CHECK(mc.set("b", "small too"));
  CHECK(mc.set("c", std::string(50000, 'c')));
  auto slabs = mc.get_slabs();
  REQUIRE(slabs.size() == 1);
  CHECK(slabs[0].first == server.spec() + " (1)");
  std::uint64_t items = 0;
  for (const auto& [slab, fields] : slabs[0].second) {
    CHECK(std::stoi(slab) > 0);
    items += std::stoull(fields.at("number"));
  }
  CHECK(items == 3);
  CHECK(slabs[0].second.size() >= 2);  // small and large values sit in different slabs
}

TEST_CASE("flush_all empties every server", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport);
  memcache::Client mc({s0.spec(), s1.spec()}, itest::options());
  std::map<std::string, std::string> batch;
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) {
    keys.push_back("k" + std::to_string(i));
    batch.emplace(keys.back(), "v");
  }
  CHECK(mc.set_multi(batch).empty());
  CHECK(server_stat(s0, "curr_items") > 0);
  CHECK(server_stat(s1, "curr_items") > 0);
  mc.flush_all();
  CHECK(mc.get_multi(keys).empty());
  CHECK(probe(s0).get_multi(keys).empty());
  CHECK(probe(s1).get_multi(keys).empty());
  CHECK(server_stat(s0, "cmd_flush") == 1);
  CHECK(server_stat(s1, "cmd_flush") == 1);
  // Usable right after.
  CHECK(mc.set("k0", "again"));
  CHECK(mc.get("k0") == OptStr("again"));
}

TEST_CASE("disconnect_all closes connections, calls still work", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());
  CHECK(mc.set("k", "v"));
  const auto opened = server_stat(server, "total_connections");
  CHECK(mc.get("k") == OptStr("v"));
  CHECK(server_stat(server, "total_connections") == opened + 1);  // the probe's; mc reused its connection

  mc.disconnect_all();
  CHECK(mc.get("k") == OptStr("v"));  // reconnects
  CHECK(server_stat(server, "total_connections") == opened + 3);
  CHECK(mc.set("k", "w"));
  CHECK(mc.get("k") == OptStr("w"));
  mc.disconnect_all();
  mc.disconnect_all();
  CHECK(mc.get_multi({"k"}) == std::unordered_map<std::string, std::string>{{"k", "w"}});
}

TEST_CASE("set_servers replaces the server list", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer a(transport), b(transport);
  memcache::Client mc({a.spec()}, itest::options());
  CHECK(mc.set("k", "on a"));

  mc.set_servers({b.spec()});
  CHECK(mc.get("k") == std::nullopt);
  CHECK(mc.set("k", "on b"));
  CHECK(probe(a).get("k") == OptStr("on a"));
  CHECK(probe(b).get("k") == OptStr("on b"));
  auto stats = mc.get_stats();
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].first == b.spec() + " (1)");

  // A bad list throws and leaves the current one in place.
  CHECK_THROWS_AS(mc.set_servers({"127.0.0.1:notaport"}), memcache::ServerSpecError);
  CHECK(mc.get("k") == OptStr("on b"));

  mc.set_servers({a.spec(), b.spec()});
  CHECK(mc.get_stats().size() == 2);
  CHECK(mc.set("new", "x"));
  CHECK(holder_of({&a, &b}, "new") >= 0);
}

TEST_CASE("construction: bad server strings throw, nothing connects early, clients move", "[integration]") {
  CHECK_THROWS_AS(memcache::Client({"host:1:2"}), memcache::ServerSpecError);
  CHECK_THROWS_WITH(memcache::Client({"127.0.0.1:11211", "127.0.0.1:99999"}), Catch::Contains("127.0.0.1:99999"));
  CHECK_THROWS_AS(memcache::Client({"unix:"}), memcache::ServerSpecError);
  CHECK_THROWS_AS(memcache::Client({""}), memcache::ServerSpecError);

  SilentListener listener;
  memcache::Client lazy({listener.spec()}, quick_options());
  CHECK(listener.connections() == 0);

  MemcachedServer server;
  memcache::Client first({server.spec()}, itest::options());
  CHECK(first.set("k", "v"));
  memcache::Client moved(std::move(first));
  CHECK(moved.get("k") == OptStr("v"));
  memcache::Client assigned({listener.spec()}, itest::options());
  assigned = std::move(moved);
  CHECK(assigned.get("k") == OptStr("v"));
  // "host" alone and "inet:" spellings reach the same server.
  memcache::Client inet({"inet:127.0.0.1:" + std::to_string(server.port())}, itest::options());
  CHECK(inet.get("k") == OptStr("v"));
}

TEST_CASE("debug log through a custom sink", "[integration]") {
  MemcachedServer server;
  LogCapture log;
  memcache::Options options = quick_options();
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({server.spec()}, options);

  mc.debuglog("hello from the test");
  CHECK(log.messages() == std::vector<std::string>{"hello from the test"});

  CHECK_FALSE(mc.set("big", std::string(2 * 1024 * 1024, 'x')));
  CHECK(log.contains("server_max_value_length"));

  // Without debug, nothing is logged.
  LogCapture quiet;
  memcache::Options off = quick_options();
  off.log = quiet.sink();
  memcache::Client silent({server.spec()}, off);
  silent.debuglog("not logged");
  CHECK_FALSE(silent.set("big", std::string(2 * 1024 * 1024, 'x')));
  CHECK(quiet.messages().empty());
  CHECK(mc.options().debug);
  CHECK_FALSE(silent.options().debug);
}

TEST_CASE("explicit-hash keys land on buckets[hash % n]", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport), s2(transport);
  const std::vector<const MemcachedServer*> servers{&s0, &s1, &s2};

  SECTION("equal weights") {
    memcache::Client mc({s0.spec(), s1.spec(), s2.spec()}, itest::options());
    for (std::uint64_t h = 0; h < 12; ++h) {
      const std::string key = "explicit-" + std::to_string(h);
      CHECK(mc.set(memcache::Key(h, key), key));
      CHECK(holder_of(servers, key) == static_cast<int>(h % 3));
      CHECK(mc.get(memcache::Key(h, key)) == OptStr(key));
    }
    // The same key with different hashes lives on different servers.
    CHECK(mc.set(memcache::Key(0, "same"), "zero"));
    CHECK(mc.set(memcache::Key(1, "same"), "one"));
    CHECK(probe(s0).get("same") == OptStr("zero"));
    CHECK(probe(s1).get("same") == OptStr("one"));
    CHECK(mc.get(memcache::Key(0, "same")) == OptStr("zero"));
    CHECK(mc.get(memcache::Key(1, "same")) == OptStr("one"));
    CHECK(mc.del(memcache::Key(1, "same")));
    CHECK(probe(s1).get("same") == std::nullopt);
    CHECK(probe(s0).get("same") == OptStr("zero"));
  }
  SECTION("weights: buckets [s0, s0, s1, s2, s2, s2]") {
    memcache::Client mc({{s0.spec(), 2}, s1.spec(), {s2.spec(), 3}}, itest::options());
    const int expected[] = {0, 0, 1, 2, 2, 2};
    for (std::uint64_t h = 0; h < 12; ++h) {
      const std::string key = "weighted-" + std::to_string(h);
      CHECK(mc.set(memcache::Key(h, key), "v"));
      CHECK(holder_of(servers, key) == expected[h % 6]);
    }
  }
  SECTION("multi-key calls honour explicit hashes") {
    memcache::Client mc({s0.spec(), s1.spec(), s2.spec()}, itest::options());
    std::vector<memcache::Key> keys{{2, "m-a"}, {2, "m-b"}, {4, "m-c"}};
    CHECK(mc.set(keys[0], "a"));
    CHECK(mc.set(keys[1], "b"));
    CHECK(mc.set(keys[2], "c"));
    CHECK(probe(s2).get_multi({"m-a", "m-b"}).size() == 2);
    CHECK(probe(s1).get("m-c") == OptStr("c"));
    CHECK(mc.get_multi(keys) == std::unordered_map<std::string, std::string>{{"m-a", "a"}, {"m-b", "b"}, {"m-c", "c"}});
    CHECK(mc.delete_multi(keys));
    CHECK(holder_of(servers, "m-a") == -1);
    CHECK(holder_of(servers, "m-c") == -1);
  }
}

TEST_CASE("keys land where python-memcached puts them", "[integration]") {
  MemcachedServer s0, s1, s2;
  const std::vector<const MemcachedServer*> servers{&s0, &s1, &s2};
  memcache::Client mc({s0.spec(), s1.spec(), s2.spec()}, itest::options());
  // API.md's vectors: (crc32(key) >> 16) & 0x7fff
  const std::pair<const char*, int> vectors[] = {{"foo", 3187},        {"key1", 11356}, {"a", 26807}, {"abc", 13604},
                                                 {"memcached", 11903}, {"0", 29915},    {"ob", 0}};
  for (const auto& [key, hash] : vectors) {
    INFO(key);
    CHECK(mc.set(key, "v"));
    CHECK(holder_of(servers, key) == hash % 3);
  }
  // And prefixed keys hash with their prefix.
  CHECK(mc.set_multi(std::map<std::string, std::string>{{"oo", "via prefix"}}, 0, "f").empty());
  CHECK(probe(*servers[3187 % 3]).get("foo") == OptStr("via prefix"));
  CHECK(mc.get_multi({"oo"}, "f") == std::unordered_map<std::string, std::string>{{"oo", "via prefix"}});
}
