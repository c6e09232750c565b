// The meta protocol's self-check against a server whose replies claim to
// answer another request: a reply whose opaque token is not the one its
// request was sent with closes the connection and fails the call in
// progress (a miss, false, or memcache::Error), never hands it another
// request's value; the next call works.

#include <unordered_map>

#include "reliability.hpp"

using namespace rtest;

namespace {

// Long timeouts: a refused reply closes the connection at once, so a call
// that took anywhere near socket_timeout would show in the time bound below.
memcache::Options meta_options() {
  memcache::Options o = steady_options();
  o.protocol = memcache::Protocol::meta;
  o.dead_retry = 0s;  // the next call goes to the same server
  o.max_connections_per_server = 1;
  return o;
}

enum class Call { get, gets, gat, get_multi, set, add, incr, del, touch, set_multi, delete_multi };

const char* call_name(Call c) {
  switch (c) {
    case Call::get:
      return "get";
    case Call::gets:
      return "gets";
    case Call::gat:
      return "gat";
    case Call::get_multi:
      return "get_multi";
    case Call::set:
      return "set";
    case Call::add:
      return "add";
    case Call::incr:
      return "incr";
    case Call::del:
      return "del";
    case Call::touch:
      return "touch";
    case Call::set_multi:
      return "set_multi";
    case Call::delete_multi:
      return "delete_multi";
  }
  return "?";
}

}  // namespace

TEST_CASE("meta: a reply with another request's opaque token closes the connection, no wrong value",
          "[integration][reliability][meta]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Client mc({proxy.spec()}, meta_options());
  auto truth = probe(server);
  const std::vector<std::string> keys = {"k", "k2", "k3"};
  for (const auto& k : keys) REQUIRE(truth.set(k, value_for(k)));
  REQUIRE(truth.set("n", 10));

  std::size_t injected = 0;
  for (Call call : {Call::get, Call::gets, Call::gat, Call::get_multi, Call::set, Call::add, Call::incr, Call::del,
                    Call::touch, Call::set_multi, Call::delete_multi}) {
    INFO(call_name(call));
    REQUIRE(mc.get("k") == OptStr(value_for("k")));  // a connection is open and in step
    const std::size_t accepted = proxy.accepted();
    proxy.rewrite_next_opaque();
    const auto start = Clock::now();
    switch (call) {
      case Call::get:
        CHECK(mc.get("k") == std::nullopt);
        break;
      case Call::gets:
        CHECK_FALSE(mc.gets_cas("k").has_value());
        break;
      case Call::gat:
        CHECK(mc.gat("k", 0) == std::nullopt);
        break;
      case Call::get_multi:
        CHECK(mc.get_multi(keys).empty());  // the server's whole reply is dropped
        break;
      case Call::set:
        CHECK_FALSE(mc.set("s", "x"));
        break;
      case Call::add:
        CHECK_FALSE(mc.add("a", "x"));
        break;
      case Call::incr:
        CHECK(mc.incr("n", 0) == std::nullopt);
        break;
      case Call::del:
        CHECK_FALSE(mc.del("absent"));
        break;
      case Call::touch:
        CHECK_FALSE(mc.touch("k", 0));
        break;
      case Call::set_multi: {
        const std::map<std::string, std::string> batch = {{"m1", "1"}, {"m2", "2"}};
        CHECK(mc.set_multi(batch).size() == 2);
        break;
      }
      case Call::delete_multi:
        CHECK_FALSE(mc.delete_multi({"absent1", "absent2"}));
        break;
    }
    CHECK(ms_since(start) < timeout_ms + slack_ms);
    CHECK(proxy.faults_injected() == ++injected);

    // The connection was closed; the next calls get their own replies on a new one.
    CHECK(mc.get("k") == OptStr(value_for("k")));
    CHECK(proxy.accepted() == accepted + 1);
    CHECK(mc.get_multi(keys) == std::unordered_map<std::string, std::string>{
                                    {"k", value_for("k")}, {"k2", value_for("k2")}, {"k3", value_for("k3")}});
    CHECK(mc.incr("n", 0) == std::optional<std::uint64_t>(10));
  }
}

TEST_CASE("meta: replies of another server's protocol or with no token are refused",
          "[integration][reliability][meta]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Client mc({proxy.spec()}, meta_options());
  REQUIRE(probe(server).set("k", value_for("k")));
  const std::vector<std::string> lies = {
      "VALUE k 0 3\r\nabc\r\nEND\r\n",  // a text reply to mg
      "VA 3 f0 kk\r\nabc\r\n",          // no opaque token
      "VA 3 f0 kk O0\r\nabc\r\n",       // a token no request had
      "VA 3 f0 kx O",                   // cut, then closed (see then_close below)
      "HD O1\r\n",                      // HD to a get with v
      "MN\r\n",                         // the end of a batch that was never sent
  };
  for (std::size_t i = 0; i < lies.size(); ++i) {
    INFO(lies[i]);
    proxy.reply_next(lies[i], false, i == 3);
    CHECK(mc.get("k") == std::nullopt);
    CHECK(mc.get("k") == OptStr(value_for("k")));
  }
}
