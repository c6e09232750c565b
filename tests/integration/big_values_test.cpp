// Values other clients stored above this client's server_max_value_length
// (memcached -I 2m): read up to max_value_read_length; a value above that
// bound fails its own key only, on a connection that stays in use.

#include "common.hpp"

namespace itest {
namespace {

constexpr std::size_t MiB = 1024 * 1024;

// A value of `size` bytes that names its key, so a shifted or cut reply
// never passes for it.
std::string big_value(const std::string& key, std::size_t size) {
  std::string v = key + ":";
  while (v.size() < size) v += static_cast<char>('a' + v.size() % 26);
  v.resize(size);
  return v;
}

// Another client that stores what this one would not send (python-memcached
// with server_max_value_length raised, say).
void store_big(const MemcachedServer& server, const std::string& key, const std::string& value) {
  memcache::Options o = quick_options();
  o.server_max_value_length = 2 * MiB;
  o.socket_timeout = 10s;
  memcache::Client writer({server.spec()}, o);
  REQUIRE(writer.set(key, value));
}

memcache::Options reader_options() {
  memcache::Options o = quick_options();
  o.socket_timeout = 10s;  // a loaded machine moving megabytes; nothing here fails
  return o;
}

TEST_CASE("a 1.5 MiB value another client stored is read, alone and among other keys", "[integration][big]") {
  MemcachedServer server(Transport::tcp, {"-I", "2m"});
  const std::string big = big_value("big", 3 * MiB / 2);
  store_big(server, "big", big);

  memcache::Client mc({server.spec()}, reader_options());
  REQUIRE(mc.options().server_max_value_length == MiB);  // the default: it would not send this
  REQUIRE(mc.set("a", "value of a"));
  REQUIRE(mc.set("b", "value of b"));

  auto v = mc.get("big");
  REQUIRE(v);
  CHECK(v->size() == big.size());
  CHECK(*v == big);

  auto found = mc.get_multi({"a", "big", "b", "absent"});
  CHECK(found.size() == 3);
  CHECK(found["a"] == "value of a");
  CHECK(found["b"] == "value of b");
  CHECK(found["big"] == big);
  // This client still refuses to send it.
  CHECK_FALSE(mc.set("big2", big));
}

TEST_CASE("a value over max_value_read_length fails its own key only, the connection stays", "[integration][big]") {
  MemcachedServer server(Transport::tcp, {"-I", "2m"});
  const std::string big = big_value("big", 3 * MiB / 2);
  store_big(server, "big", big);

  // Text: over meta the skipped value costs the connection (a reconnect;
  // still only its own key fails), which the connection count below would
  // not allow.
  memcache::Options o = memcache::test::text_protocol(reader_options());
  o.max_value_read_length = MiB;
  LogCapture log;
  o.debug = true;
  o.log = log.sink();
  memcache::Client mc({server.spec()}, o);
  REQUIRE(mc.set("a", "value of a"));
  REQUIRE(mc.set("b", "value of b"));
  const auto connections = server_stat(server, "total_connections");

  // Keys before and after it in the same reply keep their values.
  auto found = mc.get_multi({"a", "big", "b"});
  CHECK(found.size() == 2);
  CHECK(found["a"] == "value of a");
  CHECK(found["b"] == "value of b");
  CHECK(found.count("big") == 0);
  CHECK_FALSE(mc.get("big"));
  CHECK(log.contains("over max_value_read_length"));

  // Skipped in step: the same connection serves the next calls (the probe
  // that read total_connections is the only new one), and the server is
  // not marked dead.
  for (int i = 0; i < 3; ++i) {
    CHECK(mc.get("a") == OptStr("value of a"));
    CHECK(mc.get_multi({"big", "b"}).at("b") == "value of b");
  }
  CHECK(server_stat(server, "total_connections") == connections + 1);
  CHECK_FALSE(log.contains("Marking dead"));
}

}  // namespace
}  // namespace itest
