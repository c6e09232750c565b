// Every call that has a meta form, over text and over memcached 1.6's meta
// protocol, against a real memcached: the same answers, values readable
// across protocols (python-memcached's flags kept), and gat / gats.

#include "common.hpp"

#include <unordered_map>

using namespace itest;
using memcache::Protocol;

namespace {

const char* protocol_name(Protocol p) { return p == Protocol::meta ? "meta" : "text"; }

memcache::Options with_protocol(Protocol p) {
  memcache::Options o = options();
  o.protocol = p;
  return o;
}

/// The seconds left to `key` on `server` (TCP), asked with a raw `mg <key> t`
/// that bypasses the client under test; -1 for never, -2 for a miss.
long long ttl_left(const MemcachedServer& server, const std::string& key) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(server.port());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = "mg " + key + " t\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string reply;
  char buf[256];
  while (reply.find("\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (reply.rfind("EN", 0) == 0) return -2;
  const std::size_t t = reply.find(" t");
  REQUIRE(t != std::string::npos);
  return std::stoll(reply.substr(t + 2));
}

}  // namespace

TEST_CASE("every call with a meta form gives the same answers over text and meta", "[integration][meta]") {
  const Protocol protocol = GENERATE(Protocol::text, Protocol::meta);
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(protocol_name(protocol) << " over " << transport_name(transport));
  MemcachedServer server(transport);
  memcache::Options options = with_protocol(protocol);
  options.cache_cas = true;
  memcache::Client mc({server.spec()}, options);

  // get, gets, set and the modes of ms
  CHECK(mc.get("absent") == std::nullopt);
  CHECK(mc.gets("absent") == std::nullopt);
  CHECK(mc.set("k", "v1", 300));
  CHECK(mc.get("k") == OptStr("v1"));
  CHECK_FALSE(mc.add("k", "v2"));
  CHECK(mc.add("k2", "added"));
  CHECK(mc.replace("k", "v3"));
  CHECK_FALSE(mc.replace("absent", "x"));
  CHECK(mc.append("k", "-end"));
  CHECK(mc.prepend("k", "start-"));
  CHECK_FALSE(mc.append("absent", "x"));
  CHECK(mc.get("k") == OptStr("start-v3-end"));
  CHECK(mc.get("absent") == std::nullopt);

  // typed values keep python-memcached's flags
  CHECK(mc.set("int", 12));
  CHECK(mc.append("int", "34"));
  CHECK(mc.get<int>("int") == std::optional<int>(1234));
  CHECK(mc.get<memcache::Value>("int")->flags() == memcache::flags::integer);
  CHECK(mc.set("text", memcache::Text("h\xc3\xa9")));
  CHECK(mc.get<memcache::Value>("text")->flags() == memcache::flags::text);
  const std::string big(5000, 'z');
  CHECK(mc.set("zipped", big, 0, 100));
  CHECK(mc.get<memcache::Value>("zipped")->flags() == memcache::flags::compressed);
  CHECK(mc.get("zipped") == OptStr(big));
  const std::string binary("a\0b\r\nEND\r\nVA 1 O1\r\n", 19);
  CHECK(mc.set("binary", binary));
  CHECK(mc.get("binary") == OptStr(binary));
  CHECK(mc.set("empty", ""));
  CHECK(mc.get("empty") == OptStr(""));

  // cas: cached from gets, and explicit
  CHECK(mc.gets("k") == OptStr("start-v3-end"));
  CHECK(mc.cas("k", "cas1"));
  CHECK_FALSE(mc.cas("k", "cas2"));  // the unique changed with the first cas
  CHECK(mc.get("k") == OptStr("cas1"));
  auto held = mc.gets_cas("k");
  REQUIRE(held);
  CHECK(mc.cas_with("k", "cas3", held->cas_unique));
  CHECK_FALSE(mc.cas_with("k", "cas4", held->cas_unique));
  CHECK(mc.get("k") == OptStr("cas3"));

  // incr / decr
  CHECK(mc.set("n", 10));
  CHECK(mc.incr("n", 5) == std::optional<std::uint64_t>(15));
  CHECK(mc.decr("n", 100) == std::optional<std::uint64_t>(0));
  CHECK(mc.incr("absent") == std::nullopt);
  CHECK_THROWS_AS(mc.incr("k"), memcache::Error);  // not a number
  CHECK(mc.get("k") == OptStr("cas3"));            // and the connection is in step after

  // delete, touch
  CHECK(mc.touch("k", 100));
  CHECK_FALSE(mc.touch("absent", 100));
  CHECK(mc.del("k"));
  CHECK_FALSE(mc.del("k"));
  CHECK(mc.get("k") == std::nullopt);

  // multi-key calls: hits and misses mixed, prefixes
  std::map<std::string, std::string> batch;
  for (int i = 0; i < 250; ++i) batch["m" + std::to_string(i)] = "value " + std::to_string(i);
  CHECK(mc.set_multi(batch, 0, "p:").empty());
  std::vector<std::string> keys;
  for (int i = 0; i < 300; i += 2) keys.push_back("m" + std::to_string(i));
  auto found = mc.get_multi(keys, "p:");
  CHECK(found.size() == 125);
  for (const auto& [key, value] : found) CHECK(value == batch.at(key));
  CHECK(mc.delete_multi(keys, 0, "p:"));
  CHECK(mc.get_multi(keys, "p:").empty());
  CHECK(mc.get("p:m1") == OptStr("value 1"));

  // noreply goes as text; the connection stays in step for the meta calls after
  CHECK(mc.set("nr", "quiet", 0, 0, true));
  CHECK(mc.get("nr") == OptStr("quiet"));
}

TEST_CASE("values written over meta read the same over text, and back", "[integration][meta]") {
  MemcachedServer server;
  memcache::Client meta({server.spec()}, with_protocol(Protocol::meta));
  memcache::Client text({server.spec()}, with_protocol(Protocol::text));
  const std::string big(3000, 'q');
  for (memcache::Client* writer : {&meta, &text}) {
    memcache::Client& reader = writer == &meta ? text : meta;
    CHECK(writer->set("s", "bytes"));
    CHECK(writer->set("t", memcache::Text("text")));
    CHECK(writer->set("i", -42));
    CHECK(writer->set("z", big, 0, 100));
    CHECK(writer->set_multi(std::map<std::string, std::int64_t>{{"a", 1}, {"b", 2}}).empty());
    CHECK(reader.get<memcache::Value>("s") == memcache::Value("bytes", 0));
    CHECK(reader.get<memcache::Value>("t") == memcache::Value("text", memcache::flags::text));
    CHECK(reader.get<memcache::Value>("i") == memcache::Value("-42", memcache::flags::integer));
    CHECK(reader.get<memcache::Value>("z")->flags() == memcache::flags::compressed);
    CHECK(reader.get("z") == OptStr(big));
    CHECK(reader.get_multi<std::int64_t>({"a", "b"}) ==
          std::unordered_map<std::string, std::int64_t>{{"a", 1}, {"b", 2}});
  }
}

TEST_CASE("gat and gats return the value and set its expiry", "[integration][meta]") {
  const Protocol protocol = GENERATE(Protocol::text, Protocol::meta);
  INFO(protocol_name(protocol));
  MemcachedServer server;
  memcache::Options options = with_protocol(protocol);
  options.cache_cas = true;
  memcache::Client mc({server.spec()}, options);

  CHECK(mc.gat("absent", 100) == std::nullopt);
  CHECK(mc.gats("absent", 100) == std::nullopt);
  REQUIRE(mc.set("k", "v", 0));
  CHECK(ttl_left(server, "k") == -1);
  CHECK(mc.gat("k", 1000) == OptStr("v"));
  const long long left = ttl_left(server, "k");
  CHECK(left > 900);
  CHECK(left <= 1000);
  CHECK(mc.gat<memcache::Value>("k", std::chrono::hours(1)) == memcache::Value("v", 0));
  CHECK(ttl_left(server, "k") > 3000);

  // gats remembers the cas unique, as gets does
  CHECK(mc.gats("k", 0) == OptStr("v"));
  CHECK(ttl_left(server, "k") == -1);
  CHECK(mc.set("other", "x"));  // does not touch k's unique
  CHECK(mc.cas("k", "after gats"));
  CHECK(mc.get("k") == OptStr("after gats"));

  // a past expiry: the value is returned once, then gone
  CHECK(mc.gat("k", -1) == OptStr("after gats"));
  CHECK(mc.get("k") == std::nullopt);
}
