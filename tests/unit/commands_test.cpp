// Commands with no server: a call planned once for both clients (keys
// checked and routed, requests encoded, replies interpreted) and driven here
// by hand, as the sync and async drivers do.

#include <catch2/catch.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/error.hpp>
#include <memcache/error_code.hpp>

#include "commands/broadcast.hpp"
#include "commands/cas_cache.hpp"
#include "commands/multi_key.hpp"
#include "commands/single_key.hpp"
#include "protocol/dispatcher.hpp"

using memcache::Key;
using memcache::Options;
using memcache::Value;
using namespace memcache::detail;
using memcache::detail::protocol::Dispatcher;

namespace {

// Routes each key to the server named by its last character ('a' -> 0,
// 'b' -> 1, ...), none for a key ending in 'z' or for a dead server.
class FakeRouter final : public Router {
 public:
  explicit FakeRouter(std::size_t servers) : dead_(servers, false) {}
  std::optional<std::size_t> route(std::string_view key, std::optional<std::uint64_t> hash) override {
    if (hash) return *hash % dead_.size();
    const auto i = static_cast<std::size_t>(key.back() - 'a');
    if (i >= dead_.size() || dead_[i]) return std::nullopt;
    return i;
  }
  bool usable(std::size_t index) override { return !dead_[index]; }
  std::size_t servers() const override { return dead_.size(); }
  std::vector<bool> dead_;
};

// What a driver does: each part's bytes per server, replies fed to its
// operation through a dispatcher.
struct Wire {
  std::map<std::size_t, std::string> requests;
  std::map<std::size_t, Dispatcher> dispatchers;

  void send(Command& command) {
    for (std::size_t p = 0; p < command.parts(); ++p) {
      const std::size_t server = command.server(p);
      auto* op = command.encode(p, requests[server]);
      auto& d = dispatchers.try_emplace(server, 0).first->second;
      if (op) d.expect(*op);
    }
  }
  void reply(std::size_t server, std::string_view bytes) {
    CHECK(dispatchers.at(server).consume(bytes) == bytes.size());
  }
};

}  // namespace

TEST_CASE("commands: get_multi groups keys per server in lines of 100, in the caller's order", "[unit]") {
  Options options;
  KeyList keys;
  std::vector<std::string> names;
  for (int i = 0; i < 150; ++i) names.push_back("k" + std::to_string(i) + "a");
  names.push_back("xb");
  names.push_back("yb");
  names.push_back("nowhere-z");
  for (const auto& n : names) keys.emplace_back(n);
  std::vector<std::string_view> sent;
  GetMultiCommand command(keys, "p:", options, sent);
  FakeRouter router(2);
  command.plan(router);
  REQUIRE(command.parts() == 3);  // server 0: 100 + 50 keys, server 1: 2
  CHECK(command.server(0) == 0);
  CHECK(command.server(1) == 0);
  CHECK(command.server(2) == 1);
  CHECK(command.error() == memcache::errc::no_server);  // "nowhere-z" found no server

  Wire wire;
  wire.send(command);
  CHECK(wire.requests[1] == "get p:xb p:yb\r\n");
  CHECK(wire.requests[0].rfind("get p:k0a p:k1a ", 0) == 0);
  CHECK(wire.requests[0].find("p:k99a\r\nget p:k100a ") != std::string::npos);

  wire.reply(1, "VALUE p:yb 16 2\r\nhi\r\nEND\r\n");
  wire.reply(0, "VALUE p:k3a 0 1\r\n3\r\nEND\r\nVALUE p:k120a 2 3\r\n120\r\nEND\r\n");
  auto found = command.take_found();
  REQUIRE(found.size() == 3);
  std::map<std::string, Value> by_name;
  for (auto& [index, value] : found) by_name[names.at(index)] = value;
  CHECK(by_name.at("yb") == Value("hi", 16));
  CHECK(by_name.at("k3a") == Value("3", 0));
  CHECK(by_name.at("k120a") == Value("120", 2));
}

TEST_CASE("commands: a get_multi part that failed contributes nothing", "[unit]") {
  Options options;
  KeyList keys{Key("oa"), Key("ob")};
  std::vector<std::string_view> sent;
  GetMultiCommand command(keys, "", options, sent);
  FakeRouter router(2);
  command.plan(router);
  Wire wire;
  wire.send(command);
  wire.reply(0, "VALUE oa 0 1\r\nA\r\nEND\r\n");
  wire.reply(1, "VALUE ob 0 1\r\nB\r\n");  // then the server went away
  command.failed(1, make_error_code(memcache::errc::timed_out));
  auto found = command.take_found();
  REQUIRE(found.size() == 1);
  CHECK(found.front().first == 0);
  CHECK(command.error() == memcache::errc::timed_out);
}

TEST_CASE("commands: get_multi with one server sends every key to it, or none when it is unusable", "[unit]") {
  Options options;
  KeyList keys{Key("anything"), Key("whatever-z"), Key(12345, "x")};
  std::vector<std::string_view> sent;
  {
    GetMultiCommand command(keys, "", options, sent);
    FakeRouter router(1);
    command.plan(router);
    REQUIRE(command.parts() == 1);
    CHECK_FALSE(command.error());
    Wire wire;
    wire.send(command);
    CHECK(wire.requests[0] == "get anything whatever-z x\r\n");
  }
  GetMultiCommand command(keys, "", options, sent);
  FakeRouter router(1);
  router.dead_[0] = true;
  command.plan(router);
  CHECK(command.parts() == 0);
  CHECK(command.error() == memcache::errc::no_server);
}

TEST_CASE("commands: get_multi with a visitor sees each value as it is parsed, decompressed", "[unit]") {
  Options options;
  KeyList keys{Key("va"), Key("vb"), Key("zz-missing-a")};
  std::vector<std::string_view> sent;
  std::vector<std::pair<std::string, Value>> seen;
  auto visit = [&](std::string_view key, Value::View v) {
    seen.emplace_back(key, Value(std::string(v.bytes), v.flags));
  };
  GetMultiCommand command(keys, "p:", options, sent, memcache::detail::ValueVisitor(visit));
  FakeRouter router(2);
  command.plan(router);
  Wire wire;
  wire.send(command);
  // "hello" compressed by Python's zlib.compress, flag 8 on top of text (16).
  const std::string packed("x\x9c\xcbH\xcd\xc9\xc9\x07\x00\x06,\x02\x15", 13);
  wire.reply(0, "VALUE p:va 0 1\r\nA\r\n");
  REQUIRE(seen.size() == 1);  // before the END: as it is parsed
  wire.reply(0, "END\r\n");
  wire.reply(1, "VALUE p:vb 24 13\r\n" + packed + "\r\nEND\r\n");
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::make_pair(std::string("va"), Value("A", 0)));
  CHECK(seen[1] == std::make_pair(std::string("vb"), Value("hello", 16)));
  CHECK(command.visited() == 2);
  CHECK(command.take_found().empty());  // nothing collected besides
}

TEST_CASE("commands: bad keys are refused before anything is planned", "[unit]") {
  Options options;
  KeyList keys{Key("fine"), Key("has space")};
  std::vector<std::string_view> sent;
  CHECK_THROWS_AS(GetMultiCommand(keys, "", options, sent), memcache::KeyCharacterError);
  CHECK_THROWS_AS(GetCommand(Key(""), false, options), memcache::KeyNoneError);
  options.check_keys = false;
  CHECK_NOTHROW(GetCommand(Key("has space"), false, options));
}

TEST_CASE("commands: delete_multi sends each server its own keys, in the caller's order", "[unit]") {
  Options options;
  KeyList keys{Key("d1a"), Key("d2b"), Key("d3a"), Key("gone-z"), Key("d4b")};
  DeleteMultiCommand command(keys, 0, "p:", false, options);
  FakeRouter router(3);
  command.plan(router);
  REQUIRE(command.parts() == 2);  // server 2 got no key: no part
  CHECK(command.server(0) == 0);
  CHECK(command.server(1) == 1);
  Wire wire;
  wire.send(command);
  CHECK(wire.requests[0] == "delete p:d1a\r\ndelete p:d3a\r\n");
  CHECK(wire.requests[1] == "delete p:d2b\r\ndelete p:d4b\r\n");
  wire.reply(0, "DELETED\r\nNOT_FOUND\r\n");
  wire.reply(1, "DELETED\r\nDELETED\r\n");
  CHECK_FALSE(command.all_reached());  // "gone-z" found no server
}

TEST_CASE("commands: set_multi reports the items not stored, in the caller's order", "[unit]") {
  Options options;
  options.server_max_value_length = 10;
  SetMultiCommand::Items items;
  items.emplace_back(Key("aa"), Encoded::view("1", 0));
  items.emplace_back(Key("ab"), Encoded::view("2", 0));
  items.emplace_back(Key("big-a"), Encoded::view("far too long a value", 0));  // refused before sending
  items.emplace_back(Key("bb"), Encoded::view("3", 2));
  items.emplace_back(Key("nowhere-z"), Encoded::view("4", 0));  // no server
  SetMultiCommand command(items, 60, "", 0, false, options);
  FakeRouter router(2);
  command.plan(router);
  REQUIRE(command.parts() == 2);
  Wire wire;
  wire.send(command);
  CHECK(wire.requests[0] == "set aa 0 60 1\r\n1\r\n");
  CHECK(wire.requests[1] == "set ab 0 60 1\r\n2\r\nset bb 2 60 1\r\n3\r\n");
  wire.reply(0, "STORED\r\n");
  wire.reply(1, "NOT_STORED\r\nSTORED\r\n");
  CHECK(command.not_stored() == std::vector<std::size_t>{1, 2, 4});
  command.failed(0, make_error_code(memcache::errc::connection_failed));
  CHECK(command.not_stored() == std::vector<std::size_t>{0, 1, 2, 4});
}

TEST_CASE("commands: cas uses the unique gets remembered, else it is a set", "[unit]") {
  Options options;
  options.cache_cas = true;
  CasCache cache;
  FakeRouter router(1);
  const auto value = Encoded::view("v", 0);
  {
    StoreCommand command(StoreVerb::cas, Key("ka"), value, 0, 0, false, std::nullopt, options, cache);
    command.plan(router);
    std::string out;
    command.encode(0, out);
    CHECK(out == "set ka 0 0 1\r\nv\r\n");
  }
  GetCommand get(Key("ka"), true, options);
  get.plan(router);
  Wire wire;
  wire.send(get);
  wire.reply(0, "VALUE ka 0 1 77\r\nv\r\nEND\r\n");
  get.finish(cache);
  CHECK(get.cas_unique() == 77);
  CHECK(get.take_value() == Value("v", 0));
  {
    StoreCommand command(StoreVerb::cas, Key("ka"), value, 0, 0, true, std::nullopt, options, cache);
    command.plan(router);
    std::string out;
    CHECK(command.encode(0, out) == nullptr);  // noreply: no reply expected
    CHECK(out == "cas ka 0 0 1 77 noreply\r\nv\r\n");
    CHECK(command.stored());
  }
}

TEST_CASE("commands: incr answers, misses and errors", "[unit]") {
  Options options;
  FakeRouter router(1);
  auto run = [&](std::string_view reply) {
    auto command = std::make_unique<LineCommand>(LineCommand::Verb::incr, Key("na"), 5, false, options);
    command->plan(router);
    Wire wire;
    wire.send(*command);
    CHECK(wire.requests[0] == "incr na 5\r\n");
    wire.reply(0, reply);
    return command;
  };
  CHECK(run("12\r\n")->number() == std::optional<std::uint64_t>(12));
  CHECK_FALSE(run("NOT_FOUND\r\n")->number());
  auto bad = run("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  CHECK(bad->reply_error() == memcache::errc::bad_value);
  CHECK(bad->reply_text() == "cannot increment or decrement non-numeric value");
  CHECK(run("SERVER_ERROR out of memory\r\n")->reply_error() == memcache::errc::server_error);

  LineCommand nowhere(LineCommand::Verb::del, Key("gone-z"), 0, false, options);
  nowhere.plan(router);
  CHECK(nowhere.parts() == 0);
  CHECK(nowhere.error() == memcache::errc::no_server);
  CHECK_FALSE(nowhere.confirmed());
}

TEST_CASE("commands: stats and flush_all go to every usable server", "[unit]") {
  FakeRouter router(3);
  router.dead_[1] = true;
  auto stats = BroadcastCommand::stats("items");
  stats.plan(router);
  REQUIRE(stats.parts() == 2);
  Wire wire;
  wire.send(stats);
  CHECK(wire.requests[0] == "stats items\r\n");
  wire.reply(0, "STAT items:1:number 4\r\nEND\r\n");
  wire.reply(2, "END\r\n");
  auto answered = stats.answered();
  REQUIRE(answered.size() == 2);
  CHECK(answered[0].first == 0);
  CHECK(answered[0].second == BroadcastCommand::Lines{{"items:1:number", "4"}});
  CHECK(answered[1].first == 2);
  CHECK_FALSE(stats.all_answered());  // server 1 was dead

  router.dead_[1] = false;
  auto flush = BroadcastCommand::flush_all();
  flush.plan(router);
  Wire flush_wire;
  flush_wire.send(flush);
  flush_wire.reply(0, "OK\r\n");
  flush_wire.reply(1, "OK\r\n");
  flush_wire.reply(2, "SERVER_ERROR busy\r\n");
  CHECK(flush.answered().size() == 2);
  CHECK_FALSE(flush.all_answered());
}
