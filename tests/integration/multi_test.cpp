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
