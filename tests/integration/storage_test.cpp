// set/add/replace/append/prepend, get misses, del, touch and noreply against
// a real memcached, over TCP and a unix socket.

#include "common.hpp"

using namespace itest;

TEST_CASE("set and get, misses", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()});

  CHECK(mc.get("absent") == std::nullopt);
  CHECK(mc.set("user_001", "alice", 300));
  CHECK(mc.get("user_001") == OptStr("alice"));
  CHECK(mc.set("user_001", std::string("bob")));
  CHECK(mc.get("user_001") == OptStr("bob"));
  CHECK(mc.set("sv", std::string_view("view")));
  CHECK(mc.get("sv") == OptStr("view"));
  CHECK(mc.get<std::string>("sv") == OptStr("view"));
  CHECK(mc.gets("sv") == OptStr("view"));
  CHECK(mc.gets("absent") == std::nullopt);
  CHECK(mc.gets_cas("absent").has_value() == false);
}

TEST_CASE("add, replace, append, prepend: stored and refused", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()});

  // add: only when absent
  CHECK(mc.add("k", "first"));
  CHECK_FALSE(mc.add("k", "second"));
  CHECK(mc.get("k") == OptStr("first"));

  // replace: only when present
  CHECK(mc.replace("k", "replaced"));
  CHECK(mc.get("k") == OptStr("replaced"));
  CHECK_FALSE(mc.replace("missing", "x"));
  CHECK(mc.get("missing") == std::nullopt);

  // append / prepend: only when present, bytes joined on the server
  CHECK(mc.set("ap", "mid"));
  CHECK(mc.append("ap", "-end"));
  CHECK(mc.prepend("ap", "start-"));
  CHECK(mc.get("ap") == OptStr("start-mid-end"));
  CHECK_FALSE(mc.append("missing", "x"));
  CHECK_FALSE(mc.prepend("missing", "x"));
  CHECK(mc.get("missing") == std::nullopt);

  // append keeps the server's flags: an integer stays an integer
  CHECK(mc.set("num", 12));
  CHECK(mc.append("num", "34"));
  CHECK(mc.get<int>("num") == std::optional<int>(1234));
  CHECK(mc.get<memcache::Value>("num")->flags() == memcache::flags::integer);
}

TEST_CASE("del and touch", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()});

  CHECK(mc.set("k", "v"));
  CHECK(mc.del("k"));  // DELETED
  CHECK(mc.get("k") == std::nullopt);
  CHECK_FALSE(mc.del("k"));  // NOT_FOUND
  CHECK_FALSE(mc.del("never-set"));

  CHECK(mc.set("t", "v"));
  CHECK(mc.touch("t", 100));  // TOUCHED
  CHECK(mc.touch("t"));
  CHECK(mc.get("t") == OptStr("v"));
  CHECK_FALSE(mc.touch("missing", 100));  // NOT_FOUND
}

TEST_CASE("noreply on every storing call", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  // One connection: requests without replies and the get that checks them
  // share it, so the server handles them in order.
  memcache::Options options;
  options.max_connections_per_server = 1;
  options.cache_cas = true;
  memcache::Client mc({server.spec()}, options);
  const bool noreply = true;

  CHECK(mc.set("k", "v1", 0, 0, noreply));
  CHECK(mc.get("k") == OptStr("v1"));

  CHECK(mc.add("k", "ignored", 0, 0, noreply));  // refused, but noreply reports success
  CHECK(mc.get("k") == OptStr("v1"));
  CHECK(mc.add("new", "added", 0, 0, noreply));
  CHECK(mc.get("new") == OptStr("added"));

  CHECK(mc.replace("k", "v2", 0, 0, noreply));
  CHECK(mc.get("k") == OptStr("v2"));
  CHECK(mc.replace("missing", "x", 0, 0, noreply));
  CHECK(mc.get("missing") == std::nullopt);

  CHECK(mc.append("k", "-a", 0, 0, noreply));
  CHECK(mc.prepend("k", "p-", 0, 0, noreply));
  CHECK(mc.get("k") == OptStr("p-v2-a"));

  CHECK(mc.gets("k") == OptStr("p-v2-a"));
  CHECK(mc.cas("k", "cas-noreply", 0, 0, noreply));
  CHECK(mc.get("k") == OptStr("cas-noreply"));

  auto cv = mc.gets_cas("k");
  REQUIRE(cv);
  CHECK(mc.cas_with("k", "cas-with-noreply", cv->cas_unique, 0, 0, noreply));
  CHECK(mc.get("k") == OptStr("cas-with-noreply"));

  CHECK(mc.touch("k", 100, noreply));
  CHECK(mc.set("n", 10));
  CHECK(mc.incr("n", 5, noreply) == std::nullopt);  // no reply, no number
  CHECK(mc.get<int>("n") == std::optional<int>(15));
  CHECK(mc.decr("n", 3, noreply) == std::nullopt);
  CHECK(mc.get<int>("n") == std::optional<int>(12));

  CHECK(mc.del("k", noreply));
  CHECK(mc.get("k") == std::nullopt);
  CHECK(mc.del("k", noreply));  // NOT_FOUND, still "as if succeeded"

  std::map<std::string, std::string> batch{{"m1", "one"}, {"m2", "two"}};
  CHECK(mc.set_multi(batch, 0, "p:", 0, noreply).empty());
  CHECK(mc.get_multi({"m1", "m2"}, "p:") == std::unordered_map<std::string, std::string>{{"m1", "one"}, {"m2", "two"}});
  CHECK(mc.delete_multi({"m1", "m2"}, 0, "p:", noreply));
  CHECK(mc.get_multi({"m1", "m2"}, "p:").empty());

  // Nothing is left unread on the connection: a normal call still gets its reply.
  CHECK(mc.set("after", "ok"));
  CHECK(mc.get("after") == OptStr("ok"));
}

TEST_CASE("values of 0 bytes and binary values", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()});

  CHECK(mc.set("empty", ""));
  CHECK(mc.get("empty") == OptStr(""));
  CHECK(mc.get_multi({"empty"}) == std::unordered_map<std::string, std::string>{{"empty", ""}});

  // Bytes that look like protocol inside a value must come back unchanged.
  const char raw[] = "a\r\nb\0c\r\nEND\r\nVALUE x 0 1\r\n\r\n\0\xff\x80";
  const std::string binary(raw, sizeof raw - 1);
  REQUIRE(binary.size() == 31);
  CHECK(mc.set("bin", binary));
  CHECK(mc.get("bin") == OptStr(binary));
  CHECK(mc.set("bin2", std::string("\0", 1)));
  auto both = mc.get_multi({"bin", "bin2", "empty"});
  REQUIRE(both.size() == 3);
  CHECK(both.at("bin") == binary);
  CHECK(both.at("bin2") == std::string("\0", 1));
  CHECK(both.at("empty").empty());

  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  CHECK(mc.set("all", all_bytes));
  CHECK(mc.get("all") == OptStr(all_bytes));
}

TEST_CASE("values near and over 1 MiB", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  LogCapture log;
  memcache::Options options;
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({server.spec()}, options);
  const std::size_t mib = 1024 * 1024;

  // 1 MiB minus room for memcached's item header fits one item.
  std::string big(mib - 512, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  CHECK(mc.set("big", big));
  CHECK(mc.get("big") == OptStr(big));
  auto multi = mc.get_multi({"big", "absent"});
  REQUIRE(multi.size() == 1);
  CHECK(multi.at("big") == big);

  // Exactly 1 MiB is within the client's limit but the server's item (value
  // plus header) is too large: the server refuses, the call is false and the
  // connection stays usable.
  CHECK_FALSE(mc.set("exact", std::string(mib, 'y')));
  CHECK(mc.get("exact") == std::nullopt);
  CHECK(mc.get("big") == OptStr(big));

  // Over server_max_value_length: refused without contacting the server.
  const auto sets_before = server_stat(server, "cmd_set");
  log.clear();
  CHECK_FALSE(mc.set("over", std::string(mib + 1, 'z')));
  CHECK_FALSE(mc.add("over", std::string(mib + 1, 'z')));
  CHECK_FALSE(mc.replace("big", std::string(mib + 1, 'z')));
  CHECK(mc.set_multi(std::map<std::string, std::string>{{"over", std::string(mib + 1, 'z')}}) ==
        std::vector<std::string>{"over"});
  CHECK(server_stat(server, "cmd_set") == sets_before);
  CHECK(log.contains("server_max_value_length"));
  CHECK(mc.get("over") == std::nullopt);
  CHECK(mc.get("big") == OptStr(big));

  // The limit applies after compression: 2 MiB of one byte compresses well.
  const std::string compressible(2 * mib, 'c');
  CHECK(mc.set("squeezed", compressible, 0, 1000));
  CHECK(mc.get("squeezed") == OptStr(compressible));
  CHECK(mc.get<memcache::Value>("squeezed")->flags() == memcache::flags::compressed);
}

TEST_CASE("a lower server_max_value_length is honoured", "[integration]") {
  MemcachedServer server;
  memcache::Options options;
  options.server_max_value_length = 100;
  memcache::Client mc({server.spec()}, options);
  CHECK(mc.set("fits", std::string(100, 'a')));
  CHECK_FALSE(mc.set("too-long", std::string(101, 'a')));
  CHECK(mc.get("fits") == OptStr(std::string(100, 'a')));
  CHECK(mc.get("too-long") == std::nullopt);
}

TEST_CASE("a raised server_max_value_length with a server started with -I 2m", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport, {"-I", "2m"});
  const std::size_t mib = 1024 * 1024;
  memcache::Options options;
  options.server_max_value_length = 2 * mib;
  memcache::Client mc({server.spec()}, options);

  std::string huge(mib + mib / 2, 'h');
  for (std::size_t i = 0; i < huge.size(); i += 1000) huge[i] = static_cast<char>('0' + (i / 1000) % 10);
  CHECK(mc.set("huge", huge));
  CHECK(mc.set("small", "s"));
  CHECK(mc.get("huge") == OptStr(huge));
  auto both = mc.get_multi({"huge", "small"});
  REQUIRE(both.size() == 2);
  CHECK(both.at("huge") == huge);

  // A client with the default 1 MiB limit does not send such a value but
  // reads it (max_value_read_length); a lower read bound makes it a miss,
  // skipped on the same connection, and the client carries on.
  memcache::Client reader({server.spec()});
  CHECK(reader.get("huge") == OptStr(huge));
  CHECK_FALSE(reader.set("huge2", huge));
  memcache::Options bounded;
  bounded.max_value_read_length = mib;
  memcache::Client strict({server.spec()}, bounded);
  CHECK(strict.get("huge") == std::nullopt);
  CHECK(strict.get("small") == OptStr("s"));
  CHECK(strict.set("small", "t"));
  CHECK(strict.get("small") == OptStr("t"));
}
