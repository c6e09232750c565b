// The shared commands over the meta protocol, with no server: the requests
// each call encodes, and its result from meta replies (tokens read back from
// the request, as the server echoes them).

#include <catch2/catch.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/detail/store_verb.hpp>

#include "commands/cas_cache.hpp"
#include "commands/multi_key.hpp"
#include "commands/single_key.hpp"
#include "protocol/dispatcher.hpp"

using memcache::Key;
using memcache::Options;
using memcache::Value;
using namespace memcache::detail;
using memcache::detail::protocol::Dispatcher;
using memcache::detail::protocol::ProtocolError;

namespace {

class OneServer final : public Router {
 public:
  std::optional<std::size_t> route(std::string_view, std::optional<std::uint64_t>) override { return 0; }
  bool usable(std::size_t) override { return true; }
  std::size_t servers() const override { return 1; }
};

Options meta_options() {
  Options o;
  o.protocol = memcache::Protocol::meta;
  return o;
}

// The request with every ` O<n>` replaced by ` O#`, and the tokens in order.
std::pair<std::string, std::vector<std::string>> split_tokens(const std::string& request) {
  static const std::regex token(" O([0-9]+)");
  std::vector<std::string> tokens;
  for (auto it = std::sregex_iterator(request.begin(), request.end(), token); it != std::sregex_iterator(); ++it) {
    tokens.push_back((*it)[1]);
  }
  return {std::regex_replace(request, token, " O#"), tokens};
}

// Plans and encodes `command` (one part), then feeds it `reply` made by
// `make_reply` from the tokens.
template <class MakeReply>
std::string drive(Command& command, MakeReply make_reply) {
  OneServer router;
  command.plan(router);
  REQUIRE(command.parts() == 1);
  std::string request;
  protocol::Operation* op = command.encode(0, request);
  REQUIRE(op != nullptr);
  auto [shape, tokens] = split_tokens(request);
  Dispatcher d(0);
  d.expect(*op);
  const std::string reply = make_reply(tokens);
  REQUIRE(d.consume(reply) == reply.size());
  CHECK(d.idle());
  return shape;
}

}  // namespace

TEST_CASE("meta commands: get, gets and gat", "[unit][meta]") {
  const Options options = meta_options();
  CasCache cache;
  GetCommand get(Key("k"), false, options);
  CHECK(drive(get, [](auto& t) { return "VA 2 f16 kk O" + t[0] + "\r\nhi\r\n"; }) == "mg k v f k O#\r\n");
  CHECK(get.take_value() == Value("hi", 16));

  GetCommand gets(Key("k"), true, options, 300);
  CHECK(drive(gets, [](auto& t) { return "VA 2 f0 kk c77 O" + t[0] + "\r\nhi\r\n"; }) == "mg k v f k c T300 O#\r\n");
  CHECK(gets.cas_unique() == 77);

  GetCommand miss(Key("k"), false, options);
  drive(miss, [](auto& t) { return "EN O" + t[0] + "\r\n"; });
  CHECK(miss.take_value() == std::nullopt);
}

TEST_CASE("meta commands: storage modes, cas, delete, touch, incr", "[unit][meta]") {
  const Options options = meta_options();
  CasCache cache;
  const auto value = Encoded::view("v", 2);
  const std::pair<StoreVerb, std::string> verbs[] = {
      {StoreVerb::set, "ms k 1 F2 T60 O#\r\nv\r\n"},        {StoreVerb::add, "ms k 1 ME F2 T60 O#\r\nv\r\n"},
      {StoreVerb::replace, "ms k 1 MR F2 T60 O#\r\nv\r\n"}, {StoreVerb::append, "ms k 1 MA F2 T60 O#\r\nv\r\n"},
      {StoreVerb::prepend, "ms k 1 MP F2 T60 O#\r\nv\r\n"},
  };
  for (const auto& [verb, shape] : verbs) {
    StoreCommand stored(verb, Key("k"), value, 60, 0, false, std::nullopt, options, cache);
    CHECK(drive(stored, [](auto& t) { return "HD O" + t[0] + "\r\n"; }) == shape);
    CHECK(stored.stored());
    StoreCommand refused(verb, Key("k"), value, 60, 0, false, std::nullopt, options, cache);
    drive(refused, [](auto& t) { return "NS O" + t[0] + "\r\n"; });
    CHECK_FALSE(refused.stored());
  }
  StoreCommand cas(StoreVerb::cas, Key("k"), value, 0, 0, false, 42, options, cache);
  CHECK(drive(cas, [](auto& t) { return "EX O" + t[0] + "\r\n"; }) == "ms k 1 F2 T0 C42 O#\r\nv\r\n");
  CHECK_FALSE(cas.stored());

  LineCommand del(LineCommand::Verb::del, Key("k"), 0, false, options);
  CHECK(drive(del, [](auto& t) { return "HD O" + t[0] + "\r\n"; }) == "md k O#\r\n");
  CHECK(del.confirmed());
  LineCommand touch(LineCommand::Verb::touch, Key("k"), 100, false, options);
  CHECK(drive(touch, [](auto& t) { return "EN O" + t[0] + "\r\n"; }) == "mg k T100 O#\r\n");
  CHECK_FALSE(touch.confirmed());
  LineCommand incr(LineCommand::Verb::incr, Key("k"), 5, false, options);
  CHECK(drive(incr, [](auto& t) { return "VA 2 O" + t[0] + "\r\n15\r\n"; }) == "ma k D5 v O#\r\n");
  CHECK(incr.number() == std::optional<std::uint64_t>(15));
  LineCommand decr(LineCommand::Verb::decr, Key("k"), 5, false, options);
  CHECK(drive(decr, [](auto& t) { return "NF O" + t[0] + "\r\n"; }) == "ma k MD D5 v O#\r\n");
  CHECK(decr.number() == std::nullopt);

  // noreply keeps the text form: nothing would read meta's answers to failures
  StoreCommand quiet(StoreVerb::set, Key("k"), value, 0, 0, true, std::nullopt, options, cache);
  OneServer router;
  quiet.plan(router);
  std::string out;
  CHECK(quiet.encode(0, out) == nullptr);
  CHECK(out == "set k 2 0 1 noreply\r\nv\r\n");
}

TEST_CASE("meta commands: get_multi, set_multi, delete_multi", "[unit][meta]") {
  const Options options = meta_options();
  KeyList keys = {Key("a"), Key("b"), Key("c")};
  std::vector<std::string_view> sent;
  GetMultiCommand get(keys, "p:", options, sent);
  CHECK(drive(get, [](auto& t) {
          return "VA 1 f0 kp:a O" + t[0] + "\r\nA\r\nVA 1 f2 kp:c O" + t[2] + "\r\n3\r\nMN\r\n";
        }) == "mg p:a v f k q O#\r\nmg p:b v f k q O#\r\nmg p:c v f k q O#\r\nmn\r\n");
  const FoundList found = get.take_found();
  REQUIRE(found.size() == 2);
  CHECK(found[0].first == 0);
  CHECK(found[0].second == Value("A", 0));
  CHECK(found[1].first == 2);
  CHECK(found[1].second == Value("3", 2));

  SetMultiCommand::Items items;
  items.emplace_back(Key("a"), Encoded::view("1", 0));
  items.emplace_back(Key("b"), Encoded::view("2", 16));
  SetMultiCommand set(items, 60, "", 0, false, options);
  CHECK(drive(set, [](auto& t) { return "HD O" + t[0] + "\r\nNS O" + t[1] + "\r\n"; }) ==
        "ms a 1 F0 T60 O#\r\n1\r\nms b 1 F16 T60 O#\r\n2\r\n");
  CHECK(set.not_stored() == std::vector<std::size_t>{1});

  DeleteMultiCommand del(keys, 0, "", false, options);
  CHECK(drive(del, [](auto& t) { return "HD O" + t[0] + "\r\nNF O" + t[1] + "\r\nHD O" + t[2] + "\r\n"; }) ==
        "md a O#\r\nmd b O#\r\nmd c O#\r\n");
  CHECK(del.all_reached());
}

TEST_CASE("meta commands: a reply with a token out of place is a ProtocolError", "[unit][meta]") {
  const Options options = meta_options();
  KeyList keys = {Key("a"), Key("b")};
  std::vector<std::string_view> sent;
  GetMultiCommand get(keys, "", options, sent);
  OneServer router;
  get.plan(router);
  std::string request;
  protocol::Operation* op = get.encode(0, request);
  const auto tokens = split_tokens(request).second;
  REQUIRE(tokens.size() == 2);
  Dispatcher d(0);
  d.expect(*op);
  // b's reply, then a's: a cannot come after b
  CHECK_THROWS_AS(d.consume("VA 1 f0 kb O" + tokens[1] + "\r\nB\r\nVA 1 f0 ka O" + tokens[0] + "\r\nA\r\nMN\r\n"),
                  ProtocolError);
}
