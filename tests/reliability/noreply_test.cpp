// noreply: the server owes no reply, so nothing tells the client when a
// later reply belongs to a later request, except order. Requests sent with
// noreply must never shift the replies of the calls after them, also when
// the server answers one of them anyway with an error.

#include <map>
#include <thread>

#include "reliability.hpp"

using namespace rtest;

namespace {

// One connection per server, so every call below shares it. Nothing here
// waits for a timeout (no server stalls): long ones, so that a loaded machine
// fails no call.
memcache::Options one_connection() {
  memcache::Options o = steady_options();
  o.max_connections_per_server = 1;
  o.dead_retry = 0s;
  return o;
}

}  // namespace

TEST_CASE("noreply writes, then reads on the same connection see them", "[integration][reliability]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, one_connection());
  for (int i = 0; i < 300; ++i) {
    const std::string v = "v" + std::to_string(i);
    CHECK(mc.set("k", v, 0, 0, true));
    CHECK(mc.get("k") == OptStr(v));
    CHECK(mc.append("k", "+", 0, 0, true));
    CHECK(mc.get("k") == OptStr(v + "+"));
  }
  CHECK(mc.set("n", 0));
  for (int i = 1; i <= 100; ++i) {
    CHECK(mc.incr("n", 2, true) == std::nullopt);  // noreply: nothing to return
    CHECK(show(mc.incr("n", 0)) == std::to_string(2 * i));
  }
  CHECK(mc.del("k", true));
  CHECK(mc.get("k") == std::nullopt);
  CHECK(mc.set_multi(std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}, 0, "", 0, true).empty());
  CHECK(mc.get_multi({"a", "b"}) == std::unordered_map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  CHECK(mc.delete_multi({"a", "b"}, 0, "", true));
  CHECK(mc.get_multi({"a", "b"}).empty());
  CHECK(mc.touch("n", 100, true));
  CHECK(mc.get("n") == OptStr("200"));
}

TEST_CASE("memcached answering errors to noreply requests does not shift later replies", "[integration][reliability]") {
  MemcachedServer server;
  memcache::Options options = one_connection();
  options.check_keys = false;  // let bad keys reach the server, which rejects them
  LogCapture log;
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({server.spec()}, options);
  REQUIRE(mc.set("k", value_for("k")));
  REQUIRE(mc.set("n", 100));

  // What memcached 1.6 answers despite noreply: "ERROR" for the value line
  // of a set it could not parse (twice for a key with a space), and for an
  // incr with too many tokens.
  const std::string long_key(300, 'L');
  std::uint64_t n = 100;
  for (int round = 0; round < 20; ++round) {
    INFO("round " << round);
    CHECK(mc.set(long_key, "x", 0, 0, true));
    CHECK(mc.get("k") == OptStr(value_for("k")));
    CHECK(mc.set("a b", "x", 0, 0, true));
    CHECK(show(mc.incr("n")) == std::to_string(++n));
    CHECK(mc.incr("a b", 1, true) == std::nullopt);
    CHECK(mc.set("k2", "v2"));
    CHECK(mc.get_multi({"k", "k2"}) ==
          std::unordered_map<std::string, std::string>{{"k", value_for("k")}, {"k2", "v2"}});
    // Two bad noreply requests in a row, then a read.
    CHECK(mc.set("c d", "x", 0, 0, true));
    CHECK(mc.set(long_key, "x", 0, 0, true));
    CHECK(show(mc.incr("n")) == std::to_string(++n));
  }
  CHECK_FALSE(log.contains("Marking dead"));
  CHECK(server_stat(server, "curr_connections") <= 4);
}

TEST_CASE("an error injected after a noreply request does not shift later replies", "[integration][reliability]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Client mc({proxy.spec()}, one_connection());
  REQUIRE(mc.set("n1", 10));
  REQUIRE(mc.set("n2", 20));
  REQUIRE(mc.set("k", value_for("k")));

  const std::string error = GENERATE(std::string("SERVER_ERROR out of memory storing object\r\n"),
                                     std::string("CLIENT_ERROR bad data chunk\r\n"), std::string("ERROR\r\n"),
                                     std::string("SERVER_ERROR a\r\nSERVER_ERROR b\r\n"));
  INFO("injected: " << error);
  std::uint64_t n1 = 10, n2 = 20;
  for (int round = 0; round < 5; ++round) {
    // The server stores the value (the request goes through) and the proxy
    // answers an error the client never asked for.
    proxy.reply_next(error, true);
    CHECK(mc.set("k", value_for("k"), 0, 0, true));
    n1 += 1;
    n2 += 2;
    const auto a = mc.incr("n1");
    const auto b = mc.incr("n2", 2);
    CHECK(show(a) == std::to_string(n1));
    CHECK(show(b) == std::to_string(n2));
    CHECK(mc.get("k") == OptStr(value_for("k")));

    proxy.reply_next(error, true);
    CHECK(mc.set_multi(std::map<std::string, std::string>{{"m1", "1"}, {"m2", "2"}}, 0, "", 0, true).empty());
    CHECK(mc.get_multi({"m1", "m2"}) == std::unordered_map<std::string, std::string>{{"m1", "1"}, {"m2", "2"}});
    proxy.reply_next(error, true);
    CHECK(mc.del("m1", true));
    CHECK(mc.get("m1") == std::nullopt);
    CHECK(mc.get("m2") == OptStr("2"));
  }
  CHECK(proxy.faults_injected() == 15);
}
