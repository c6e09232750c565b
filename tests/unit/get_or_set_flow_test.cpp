// get_or_set's and invalidate's flows with no server: each request they make
// checked, each reply fed by hand, as the drivers do.

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include <memcache/error_code.hpp>

#include "cluster/topology.hpp"
#include "commands/get_or_set.hpp"
#include "protocol/dispatcher.hpp"

using memcache::Key;
using memcache::Options;
using memcache::Value;
using namespace memcache::detail;
using Step = GetOrSetFlow::Step;

namespace {

class OneServer final : public Router {
 public:
  std::optional<std::size_t> route(std::string_view, std::optional<std::uint64_t>) override {
    if (down) return std::nullopt;
    return 0;
  }
  bool usable(std::size_t) override { return !down; }
  std::size_t servers() const override { return 1; }
  bool down = false;
};

/// One server, the way a driver talks to it: plans the flow's command,
/// returns its request; reply() answers it (`{O}` becomes its opaque token).
struct Server {
  Options options;
  Topology topology{{memcache::Server("127.0.0.1:1")}, options, [](std::string_view) {}};
  OneServer router;
  std::string request;
  std::optional<protocol::Dispatcher> dispatcher;

  template <class Flow>
  std::string send(Flow& flow) {
    REQUIRE(flow.step() == Step::run);
    Command& c = flow.command();
    c.plan(router);
    request.clear();
    dispatcher.emplace(0);
    if (c.parts() == 1) {
      if (auto* op = c.encode(0, request)) dispatcher->expect(*op);
    }
    return request;
  }
  template <class Flow>
  void reply(Flow& flow, std::string bytes) {
    std::smatch m;
    if (std::regex_search(request, m, std::regex(" O([0-9]+)"))) {
      bytes = std::regex_replace(bytes, std::regex("\\{O\\}"), "O" + m[1].str());
    }
    CHECK(dispatcher->consume(bytes) == bytes.size());
    flow.answered();
  }
  template <class Flow>
  void fail(Flow& flow) {
    flow.command().failed(0, memcache::make_error_code(memcache::errc::timed_out));
    flow.answered();
  }
};

bool starts(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("get_or_set flow: a miss wins the lease, computes, writes back under its cas", "[unit][stampede]") {
  Server s;
  GetOrSetFlow flow(Key("k"), 300, s.options, s.topology);
  auto mg = s.send(flow);
  CHECK(starts(mg, "mg k "));
  CHECK(has(mg, " N10"));  // the lease: Options::stampede_lease
  CHECK(has(mg, " c"));
  s.reply(flow, "VA 0 c5 f0 W {O}\r\n\r\n");
  REQUIRE(flow.step() == Step::compute);
  CHECK_FALSE(flow.stale());
  flow.computed(Encoded::view("hello", 16));
  auto ms = s.send(flow);
  CHECK(starts(ms, "ms k 5 "));
  CHECK(has(ms, " C5"));
  CHECK(has(ms, " F16"));
  CHECK(has(ms, " T300"));
  CHECK(has(ms, "\r\nhello\r\n"));
  s.reply(flow, "EX {O}\r\n");  // changed meanwhile: not stored, still done
  CHECK(flow.step() == Step::done);
  CHECK_FALSE(flow.take_found());
}

TEST_CASE("get_or_set flow: another caller's placeholder is polled with backoff, then its value", "[unit][stampede]") {
  Server s;
  GetOrSetFlow flow(Key("k"), 0, s.options, s.topology);
  s.send(flow);
  s.reply(flow, "VA 0 c5 f0 Z {O}\r\n\r\n");
  REQUIRE(flow.step() == Step::wait);
  CHECK(flow.delay() == std::chrono::milliseconds(1));
  flow.waited();
  s.send(flow);
  s.reply(flow, "VA 0 c5 f0 Z {O}\r\n\r\n");
  REQUIRE(flow.step() == Step::wait);
  CHECK(flow.delay() == std::chrono::milliseconds(2));
  flow.waited();
  s.send(flow);
  s.reply(flow, "VA 3 c6 f16 {O}\r\nabc\r\n");
  REQUIRE(flow.step() == Step::done);
  CHECK(flow.take_found() == Value("abc", 16));
}

TEST_CASE("get_or_set flow: stale values", "[unit][stampede]") {
  Server s;
  GetOrSetFlow flow(Key("k"), 0, s.options, s.topology);
  s.send(flow);
  SECTION("another caller recomputes: the stale value at once") {
    s.reply(flow, "VA 2 c7 f0 Z X {O}\r\nv1\r\n");
    REQUIRE(flow.step() == Step::done);
    CHECK(flow.take_found() == Value("v1", 0));
  }
  SECTION("this caller recomputes: the stale value is offered to the others; a throw re-arms the win") {
    s.reply(flow, "VA 2 c7 f0 X W {O}\r\nv1\r\n");
    REQUIRE(flow.step() == Step::compute);
    CHECK(flow.stale() == Value("v1", 0));
    flow.compute_threw();
    auto md = s.send(flow);
    CHECK(starts(md, "md k "));
    CHECK(has(md, " C7"));
    CHECK(has(md, " I"));
    s.reply(flow, "HD {O}\r\n");
    CHECK(flow.step() == Step::done);
  }
}

TEST_CASE("get_or_set flow: a server without meta commands gets the add lock", "[unit][stampede]") {
  Server s;
  GetOrSetFlow flow(Key("k"), 60, s.options, s.topology);
  s.send(flow);
  s.reply(flow, "ERROR\r\n");
  CHECK(s.topology.servers[0]->lacks_meta());
  CHECK(s.send(flow) == "get k\r\n");
  s.reply(flow, "END\r\n");
  CHECK(s.send(flow) == "add k:lock 0 10 1\r\n1\r\n");
  SECTION("lock taken, and the value arrived meanwhile: release the lock, take the value") {
    s.reply(flow, "STORED\r\n");
    CHECK(s.send(flow) == "get k\r\n");
    s.reply(flow, "VALUE k 0 1\r\nv\r\nEND\r\n");
    CHECK(s.send(flow) == "delete k:lock\r\n");
    s.reply(flow, "DELETED\r\n");
    CHECK(flow.step() == Step::done);
    CHECK(flow.take_found() == Value("v", 0));
  }
  SECTION("lock taken: compute, add the value, delete the lock") {
    s.reply(flow, "STORED\r\n");
    CHECK(s.send(flow) == "get k\r\n");
    s.reply(flow, "END\r\n");
    REQUIRE(flow.step() == Step::compute);
    flow.computed(Encoded::view("v", 0));
    CHECK(s.send(flow) == "add k 0 60 1\r\nv\r\n");
    s.reply(flow, "NOT_STORED\r\n");  // a newer value: kept
    CHECK(s.send(flow) == "delete k:lock\r\n");
    s.reply(flow, "DELETED\r\n");
    CHECK(flow.step() == Step::done);
    CHECK_FALSE(flow.take_found());
  }
  SECTION("lock held elsewhere: wait, look again") {
    s.reply(flow, "NOT_STORED\r\n");
    REQUIRE(flow.step() == Step::wait);
    flow.waited();
    CHECK(s.send(flow) == "get k\r\n");
    s.reply(flow, "VALUE k 0 1\r\nv\r\nEND\r\n");
    CHECK(flow.step() == Step::done);
    CHECK(flow.take_found() == Value("v", 0));
  }
  // And the next flow on that server starts with the lock.
  GetOrSetFlow next(Key("k"), 60, s.options, s.topology);
  CHECK(s.send(next) == "get k\r\n");
}

TEST_CASE("get_or_set flow: an unreachable cluster computes without storing", "[unit][stampede]") {
  Server s;
  GetOrSetFlow flow(Key("k"), 0, s.options, s.topology);
  SECTION("timed out") {
    s.send(flow);
    s.fail(flow);
  }
  SECTION("no server") {
    s.router.down = true;
    s.send(flow);
    flow.answered();
  }
  REQUIRE(flow.step() == Step::compute);
  flow.computed(Encoded::view("v", 0));
  CHECK(flow.step() == Step::done);
}

TEST_CASE("get_or_set flow: waiting is bounded by the lease", "[unit][stampede]") {
  Server s;
  s.options.stampede_lease = std::chrono::seconds(1);
  s.options.socket_timeout = std::chrono::milliseconds(100);
  GetOrSetFlow flow(Key("k"), 0, s.options, s.topology);
  int polls = 0;
  for (; polls < 1000 && flow.step() != Step::compute; ++polls) {
    s.send(flow);
    s.reply(flow, "VA 0 c5 f0 Z {O}\r\n\r\n");
    if (flow.step() == Step::wait) {
      CHECK(flow.delay() <= std::chrono::milliseconds(50));
      flow.waited();
    }
  }
  CHECK(flow.step() == Step::compute);  // gave up waiting: computes, unstored
  CHECK(polls > 20);
  flow.computed(Encoded::view("v", 0));
  CHECK(flow.step() == Step::done);
}

TEST_CASE("invalidate flow: md I with the lease as TTL, delete without meta", "[unit][stampede]") {
  Server s;
  InvalidateFlow flow(Key("k"), s.options, s.topology);
  auto md = s.send(flow);
  CHECK(starts(md, "md k "));
  CHECK(has(md, " I"));
  CHECK(has(md, " T10"));
  SECTION("existed") {
    s.reply(flow, "HD {O}\r\n");
    CHECK(flow.step() == Step::done);
    CHECK(flow.existed());
  }
  SECTION("absent") {
    s.reply(flow, "NF {O}\r\n");
    CHECK_FALSE(flow.existed());
  }
  SECTION("no meta") {
    s.reply(flow, "ERROR\r\n");
    CHECK(s.send(flow) == "delete k\r\n");
    s.reply(flow, "DELETED\r\n");
    CHECK(flow.step() == Step::done);
    CHECK(flow.existed());
  }
}

TEST_CASE("get_or_set: lock keys", "[unit][stampede]") {
  CHECK(GetOrSetFlow::lock_key("user:1", 250) == "user:1:lock");
  const std::string long_key(248, 'k');
  const auto lock = GetOrSetFlow::lock_key(long_key, 250);
  CHECK(lock.size() == 21);
  CHECK(starts(lock, "lock:"));
  CHECK(GetOrSetFlow::lock_key(long_key, 0) == long_key + ":lock");
}
