// Issue 15 under the sync client: a write that keeps moving is not a
// failure, and an error line (SERVER_ERROR) is the answer to one request:
// false or nullopt and a debug line, and the connection goes on.

#include "reliability.hpp"

using namespace rtest;

namespace {

memcache::Options logged(LogCapture& log, memcache::Options o = steady_options()) {
  o.debug = true;
  o.log = log.sink();
  return o;
}

}  // namespace

TEST_CASE("sync: a large set over a slow link that keeps moving succeeds, however long it takes",
          "[integration][reliability][bounds]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  proxy.throttle(16 * 1024, 40ms);  // 400 KB/s: 600 KB take 1.5 s or more
  memcache::Options options = fast_options();
  options.socket_timeout = 1s;
  memcache::Client mc({proxy.spec()}, options);
  const std::string big(600 * 1000, 'v');
  const auto start = Clock::now();
  CHECK(mc.set("big", big));
  const auto took = ms_since(start);
  INFO("a 600 KB set took " << took << " ms");
  CHECK(took > 1000);
  proxy.pass_through();
  CHECK(mc.get("big") == OptStr(big));
}

TEST_CASE("sync: SERVER_ERROR fails that call only, with a debug line, the connection is reused",
          "[integration][reliability][bounds]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  LogCapture log;
  memcache::Options options = logged(log);
  options.server_max_value_length = 4 * 1024 * 1024;  // so the client sends what memcached refuses
  memcache::Client mc({proxy.spec()}, options);
  REQUIRE(mc.set("k", value_for("k")));

  SECTION("to a get") {
    proxy.reply_next("SERVER_ERROR backend down\r\n");
    CHECK_FALSE(mc.get("k"));
    CHECK(log.contains("backend down"));
  }
  SECTION("to a get_multi line: the values before it are kept") {
    REQUIRE(mc.set("k2", value_for("k2")));
    proxy.reply_next("VALUE k 0 " + std::to_string(value_for("k").size()) + "\r\n" + value_for("k") +
                     "\r\nSERVER_ERROR out of memory writing get response\r\n");
    const auto found = mc.get_multi(std::vector<std::string>{"k", "k2"});
    CHECK(found.size() == 1);
    CHECK(found.count("k") == 1);
    CHECK(log.contains("out of memory writing get response"));
  }
  SECTION("to a set: memcached refuses a value too large") {
    CHECK_FALSE(mc.set("huge", std::string(2 * 1024 * 1024, 'x')));
    CHECK(log.contains("object too large"));
  }
  CHECK(mc.get("k") == OptStr(value_for("k")));
  CHECK(proxy.accepted() == 1);  // one connection all along
}
