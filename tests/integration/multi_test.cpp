// get_multi / set_multi / delete_multi, key_prefix, and grouping per server.

#include "common.hpp"

using namespace itest;

using StrMap = std::unordered_map<std::string, std::string>;

TEST_CASE("get_multi, set_multi, delete_multi on one server", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());

  CHECK(mc.get_multi({"a", "b"}).empty());
  CHECK(mc.get_multi(std::vector<std::string>{}).empty());

  std::map<std::string, std::string> batch{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  CHECK(mc.set_multi(batch).empty());
  CHECK(mc.get_multi({"a", "b", "c", "missing"}) == StrMap{{"a", "1"}, {"b", "2"}, {"c", "3"}});
  // Duplicates and order do not matter.
  CHECK(mc.get_multi({"c", "a", "c"}) == StrMap{{"a", "1"}, {"c", "3"}});
  // Any container of strings works.
  std::vector<std::string> vec{"a", "b"};
  CHECK(mc.get_multi(vec) == StrMap{{"a", "1"}, {"b", "2"}});
  std::unordered_map<std::string, std::string> unordered{{"u", "x"}};
  CHECK(mc.set_multi(unordered).empty());
  CHECK(mc.get("u") == OptStr("x"));

  CHECK(mc.delete_multi({"a", "b", "never-there"}));
  CHECK(mc.get_multi({"a", "b", "c"}) == StrMap{{"c", "3"}});
  CHECK(mc.delete_multi(std::vector<std::string>{"c"}));
  CHECK(mc.get("c") == std::nullopt);
}

TEST_CASE("key_prefix: sent prefixed, returned stripped", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());

  std::map<std::string, std::string> batch{{"a", "1"}, {"b", "2"}};
  CHECK(mc.set_multi(batch, 60, "prefix:").empty());
  // On the server the keys carry the prefix.
  CHECK(mc.get("prefix:a") == OptStr("1"));
  CHECK(mc.get("a") == std::nullopt);
  CHECK(mc.get_multi({"a", "b", "c"}, "prefix:") == StrMap{{"a", "1"}, {"b", "2"}});
  CHECK(mc.get_multi({"prefix:a"}) == StrMap{{"prefix:a", "1"}});
  // An empty key after a prefix names the prefix itself.
  CHECK(mc.set("prefix:", "bare"));
  CHECK(mc.get_multi({""}, "prefix:") == StrMap{{"", "bare"}});

  CHECK(mc.delete_multi({"a"}, 0, "prefix:"));
  CHECK(mc.get("prefix:a") == std::nullopt);
  CHECK(mc.get("prefix:b") == OptStr("2"));
}

TEST_CASE("get_multi_each: each value found, as views, prefix stripped, decompressed", "[integration]") {
  MemcachedServer a, b;
  memcache::Client mc({a.spec(), b.spec()});
  std::map<std::string, std::string> batch;
  std::vector<std::string> keys;
  for (int i = 0; i < 250; ++i) {
    const std::string k = "k" + std::to_string(i);
    batch[k] = "value of " + k;
    keys.push_back(k);
  }
  const std::string big(20000, 'b');
  batch["big"] = big;
  keys.emplace_back("big");
  keys.emplace_back("missing");
  REQUIRE(mc.set_multi(batch, 0, "p:", 1000).empty());
  REQUIRE(mc.set("p:text", memcache::Text("h\xc3\xa9")));
  REQUIRE(mc.set("p:n", 42));
  keys.emplace_back("text");
  keys.emplace_back("n");

  std::map<std::string, std::pair<std::string, std::uint32_t>> seen;
  const std::size_t visited = mc.get_multi_each(
      keys,
      [&](std::string_view key, memcache::Value::View v) {
        CHECK(seen.count(std::string(key)) == 0);
        seen[std::string(key)] = {std::string(v.bytes), v.flags};
      },
      "p:");
  CHECK(visited == 253);
  REQUIRE(seen.size() == 253);
  for (const auto& [k, v] : batch) CHECK(seen[k] == std::make_pair(v, 0u));  // "big" decompressed, flag 8 cleared
  CHECK(seen["text"] == std::make_pair(std::string("h\xc3\xa9"), memcache::flags::text));
  CHECK(seen["n"] == std::make_pair(std::string("42"), memcache::flags::integer));
  CHECK(seen.count("missing") == 0);
  // The same as get_multi, whose map it does not build.
  CHECK(mc.get_multi<memcache::Value>(keys, "p:").size() == 253);
  CHECK(mc.get_multi_each(
            {"k1", "nothing"}, [](std::string_view, memcache::Value::View) {}, "p:") == 1);
  CHECK(mc.get_multi_each(std::vector<std::string>{}, [](std::string_view, memcache::Value::View) {}) == 0);
}

TEST_CASE("get_multi_each: a visitor may call get_multi and get_multi_each itself", "[integration]") {
  MemcachedServer a, b;
  memcache::Client mc({a.spec(), b.spec()});
  std::map<std::string, std::string> batch;
  std::vector<std::string> outer, inner;
  for (int i = 0; i < 120; ++i) {
    batch["o" + std::to_string(i)] = "outer " + std::to_string(i);
    batch["i" + std::to_string(i)] = "inner " + std::to_string(i);
    outer.push_back("o" + std::to_string(i));
    inner.push_back("i" + std::to_string(i));
  }
  REQUIRE(mc.set_multi(batch).empty());
  // The inner calls must not disturb the outer call's list of keys (a
  // per-thread list the calls share when they are not nested).
  std::map<std::string, std::string> seen;
  std::size_t inner_found = 0;
  const std::size_t visited = mc.get_multi_each(outer, [&](std::string_view key, memcache::Value::View v) {
    seen[std::string(key)] = std::string(v.bytes);
    const auto got = mc.get_multi(inner);
    inner_found += got.size();
    CHECK(got.at("i7") == "inner 7");
    mc.get_multi_each(inner, [&](std::string_view k, memcache::Value::View iv) {
      CHECK(std::string(iv.bytes) == batch.at(std::string(k)));
    });
  });
  CHECK(visited == 120);
  CHECK(inner_found == 120 * 120);
  REQUIRE(seen.size() == 120);
  for (const auto& k : outer) CHECK(seen[k] == batch[k]);
}

TEST_CASE("get_multi_each: a visitor that throws is not called again and the client stays in step", "[integration]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()});
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) {
    keys.push_back("t" + std::to_string(i));
    REQUIRE(mc.set(keys.back(), "v" + std::to_string(i)));
  }
  int calls = 0;
  CHECK_THROWS_WITH(mc.get_multi_each(keys,
                                      [&](std::string_view, memcache::Value::View) {
                                        ++calls;
                                        throw std::runtime_error("stop");
                                      }),
                    "stop");
  CHECK(calls == 1);
  // The rest of the reply was read: the next call on the connection is answered in step.
  CHECK(mc.get("t7") == OptStr("v7"));
  CHECK(mc.get_multi(keys).size() == 50);
}

TEST_CASE("set_multi returns the caller's keys that were not stored", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Options options = itest::options();
  options.server_max_value_length = 1000;
  memcache::Client mc({server.spec()}, options);

  std::map<std::string, std::string> batch{{"small", "x"},
                                           {"big1", std::string(1001, 'b')},
                                           {"fits", std::string(1000, 'f')},
                                           {"big2", std::string(5000, 'c')}};
  auto failed = mc.set_multi(batch, 0, "pre:");
  std::sort(failed.begin(), failed.end());
  CHECK(failed == std::vector<std::string>{"big1", "big2"});
  CHECK(mc.get_multi({"small", "fits", "big1", "big2"}, "pre:") ==
        StrMap{{"small", "x"}, {"fits", std::string(1000, 'f')}});
  // With compression, big2 (one repeated byte) fits.
  failed = mc.set_multi(batch, 0, "pre:", 100);
  CHECK(failed == std::vector<std::string>{});
  CHECK(mc.get("pre:big2") == OptStr(std::string(5000, 'c')));
}

TEST_CASE("set_multi reports keys the server refused", "[integration]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, itest::options());
  // Within the client's limit, too large for the server's 1 MiB items.
  std::map<std::string, std::string> batch{{"ok", "v"}, {"huge", std::string(1024 * 1024, 'h')}, {"ok2", "w"}};
  CHECK(mc.set_multi(batch) == std::vector<std::string>{"huge"});
  CHECK(mc.get_multi({"ok", "ok2", "huge"}) == StrMap{{"ok", "v"}, {"ok2", "w"}});
}

TEST_CASE("multi-key calls group keys per server", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport), s2(transport);
  const std::vector<const MemcachedServer*> servers{&s0, &s1, &s2};
  memcache::Client mc({s0.spec(), s1.spec(), s2.spec()}, itest::options());

  std::map<std::string, std::string> batch;
  std::vector<std::string> keys;
  for (int i = 0; i < 1000; ++i) {
    std::string key = "key:" + std::to_string(i);
    batch.emplace(key, "value of " + key);
    keys.push_back(key);
  }
  CHECK(mc.set_multi(batch).empty());

  auto found = mc.get_multi(keys);
  REQUIRE(found.size() == 1000);
  std::size_t wrong = 0;
  for (const auto& [k, v] : found) wrong += v != "value of " + k;
  CHECK(wrong == 0);

  // Every key on exactly one server, every server holding a fair share.
  auto held = holders(servers, keys);
  std::size_t total = 0;
  for (const auto& h : held) {
    CHECK(h.size() > 200);
    total += h.size();
  }
  CHECK(total == 1000);
  CHECK(server_stat(s0, "curr_items") + server_stat(s1, "curr_items") + server_stat(s2, "curr_items") == 1000);

  // With a prefix as well.
  CHECK(mc.set_multi(batch, 0, "p:").empty());
  auto prefixed = mc.get_multi(keys, "p:");
  CHECK(prefixed.size() == 1000);
  CHECK(prefixed.at("key:999") == "value of key:999");

  // delete_multi reaches every server.
  CHECK(mc.delete_multi(keys));
  CHECK(mc.get_multi(keys).empty());
  CHECK(mc.get_multi(keys, "p:").size() == 1000);
  CHECK(server_stat(s0, "curr_items") + server_stat(s1, "curr_items") + server_stat(s2, "curr_items") == 1000);
}
