// Pipeline: what a pipelined async connection writes, which request each
// reply answers, and who fails or is rerouted when it ends, driven by hand
// with no server, no socket and no clock.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <memcache/error_code.hpp>
#include <memcache/options.hpp>

#include "async/pipeline.hpp"
#include "async/request.hpp"
#include "protocol/operations.hpp"

using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using memcache::errc;
using memcache::Options;
using memcache::detail::AsyncRequest;
using memcache::detail::Pipeline;
using memcache::detail::SendQueue;
using memcache::detail::protocol::LineOperation;
using memcache::detail::protocol::Reply;
using memcache::detail::protocol::ReplyType;
using memcache::detail::protocol::RetrievalOperation;

namespace {

using Clock = Pipeline::Clock;
using Expired = Pipeline::Expired;
const Clock::time_point t0{};  // a fixed origin: the pipeline only compares times
constexpr auto timeout = 1000ms;

// One completed request: who, how (the error, if any) and what it got.
struct Done {
  std::string who;
  std::error_code ec;
  std::string result;

  friend bool operator==(const Done& a, const Done& b) {
    return a.who == b.who && a.ec == b.ec && a.result == b.result;
  }
  friend std::ostream& operator<<(std::ostream& os, const Done& d) {
    return os << "{" << d.who << ", " << (d.ec ? d.ec.message() : "ok") << ", " << d.result << "}";
  }
};
using Log = std::vector<Done>;

Done ok(std::string who, std::string result = "") { return {std::move(who), {}, std::move(result)}; }
Done failed(std::string who, errc e) { return {std::move(who), make_error_code(e), ""}; }
Done failed(std::string who, std::error_code ec) { return {std::move(who), ec, ""}; }

Options options(std::size_t max_in_flight = 1024) {
  Options o;
  o.max_requests_in_flight = max_in_flight;
  o.socket_timeout = timeout;
  return o;
}

const char* name(ReplyType t) {
  switch (t) {
    case ReplyType::stored:
      return "STORED";
    case ReplyType::not_stored:
      return "NOT_STORED";
    case ReplyType::deleted:
      return "DELETED";
    case ReplyType::not_found:
      return "NOT_FOUND";
    case ReplyType::ok:
      return "OK";
    case ReplyType::client_error:
      return "CLIENT_ERROR";
    case ReplyType::server_error:
      return "SERVER_ERROR";
    case ReplyType::error:
      return "ERROR";
    default:
      return "other";
  }
}

// A request answered by one line (set, delete, flush_all); `result` is the
// reply's name.
AsyncRequest line(Log& log, std::string who, std::string bytes, LineOperation prototype = LineOperation::storage()) {
  auto op = std::make_shared<LineOperation>(std::move(prototype));
  AsyncRequest r;
  r.bytes = std::move(bytes);
  r.op = op.get();
  r.done = [&log, who = std::move(who), operation = op.get()](std::error_code ec) {
    log.push_back({who, ec, ec ? "" : name(operation->type())});
  };
  r.owner = std::move(op);
  return r;
}

// A set written with noreply: done once written.
AsyncRequest noreply(Log& log, std::string who, std::string bytes) {
  AsyncRequest r;
  r.bytes = std::move(bytes);
  r.done = [&log, who = std::move(who)](std::error_code ec) { log.push_back({who, ec, ""}); };
  return r;
}

// A single-key get (or gets) of `key`, batchable as the engine makes them;
// `result` is "miss" or the value (and ":cas" for gets).
AsyncRequest get(Log& log, std::string key, bool with_cas = false) {
  struct State {
    std::string key;
    std::optional<std::string> value;
    std::uint64_t cas = 0;
  };
  auto state = std::make_shared<State>();
  state->key = key;
  // The sink holds a plain pointer: `done` keeps the state alive.
  auto op = std::make_shared<RetrievalOperation>(state->key, [s = state.get()](std::size_t, const Reply& reply) {
    s->value.emplace(reply.data);
    s->cas = reply.cas;
  });
  AsyncRequest r;
  r.bytes = (with_cas ? "gets " : "get ") + key + "\r\n";
  r.op = op.get();
  r.done = [&log, state, with_cas, o = op.get()](std::error_code ec) {
    std::string result;
    if (!ec)
      result = !state->value ? "miss" : with_cas ? *state->value + ":" + std::to_string(state->cas) : *state->value;
    if (!ec && o->error()) result = "error: " + o->error()->text;
    log.push_back({"get " + state->key, ec, result});
  };
  r.owner = std::move(op);
  r.route_key = state->key;
  r.batchable = with_cas ? AsyncRequest::Batchable::gets : AsyncRequest::Batchable::get;
  return r;
}

// Hands `bytes` to the pipeline as reads of at most `chunk` bytes, each
// into the space it offers. Returns the first protocol error.
std::optional<std::string> feed(Pipeline& p, std::string_view bytes, Clock::time_point now = t0,
                                std::size_t chunk = std::string_view::npos) {
  while (!bytes.empty()) {
    const auto space = p.read_space();
    REQUIRE(space.size > 0);
    const std::size_t n = std::min({bytes.size(), space.size, chunk});
    std::memcpy(space.data, bytes.data(), n);
    bytes.remove_prefix(n);
    if (auto error = p.on_read(n, now)) return error;
  }
  return std::nullopt;
}

// The rest of the write under way goes out at `now`.
void written(Pipeline& p, Clock::time_point now = t0) { p.on_written(p.unwritten().size(), now); }

// Writes everything prepare_write offers, as the connection would.
std::string write(Pipeline& p, Clock::time_point now = t0) {
  std::string bytes(p.prepare_write(now));
  written(p, now);
  return bytes;
}

}  // namespace

TEST_CASE("pipeline: requests are written back to back, replies complete them in order", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  CHECK(p.idle());
  CHECK_FALSE(p.can_write());
  CHECK(p.prepare_write(t0).empty());

  p.submit(line(log, "set a", "set a 0 0 1\r\n1\r\n"), t0);
  p.submit(get(log, "b"), t0);
  p.submit(line(log, "delete c", "delete c\r\n", LineOperation::deletion()), t0);
  CHECK(p.can_write());
  CHECK(p.prepare_write(t0) == "set a 0 0 1\r\n1\r\nget b\r\ndelete c\r\n");
  // One write at a time: what comes meanwhile waits for the next.
  p.submit(line(log, "set d", "set d 0 0 1\r\n4\r\n"), t0);
  CHECK_FALSE(p.can_write());
  CHECK(p.prepare_write(t0).empty());
  written(p);
  CHECK(write(p) == "set d 0 0 1\r\n4\r\n");
  CHECK(p.wants_read());
  CHECK(log.empty());

  REQUIRE_FALSE(feed(p, "STORED\r\nVALUE b 5 2\r\nbb\r\nEND\r\nNOT_FOUND\r\n"));
  CHECK(log == Log{ok("set a", "STORED"), ok("get b", "bb"), ok("delete c", "NOT_FOUND")});
  CHECK(p.wants_read());
  REQUIRE_FALSE(feed(p, "NOT_STORED\r\n"));
  CHECK(log.back() == ok("set d", "NOT_STORED"));
  CHECK_FALSE(p.wants_read());
  CHECK(p.idle());
  CHECK_FALSE(p.retiring());
}

TEST_CASE("pipeline: replies split at every byte boundary reach their own requests", "[unit]") {
  // Replies and where each ends: a request completes once its last byte is in.
  const std::vector<std::string> replies = {"STORED\r\n", "VALUE k1 3 6\r\nv\r\nEND\r\nEND\r\n", "END\r\n",
                                            "VALUE k3 0 0\r\n\r\nEND\r\n", "DELETED\r\n"};
  const Log all = {ok("set a", "STORED"), ok("get k1", "v\r\nEND"), ok("get k2", "miss"), ok("get k3", ""),
                   ok("delete d", "DELETED")};
  std::string stream;
  std::vector<std::size_t> ends;
  for (const auto& r : replies) ends.push_back((stream += r).size());

  auto start = [](Log& log) {
    auto p = std::make_unique<Pipeline>(options(), Pipeline::Log{});
    p->submit(line(log, "set a", "set a 0 0 1\r\n1\r\n"), t0);
    // Not batchable here: three separate gets, answered one after another.
    for (const char* k : {"k1", "k2", "k3"}) {
      auto g = get(log, k);
      g.batchable = AsyncRequest::Batchable::no;
      p->submit(std::move(g), t0);
    }
    p->submit(line(log, "delete d", "delete d\r\n", LineOperation::deletion()), t0);
    write(*p);
    return p;
  };
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    INFO("split at " << split);
    Log log;
    auto p = start(log);
    REQUIRE_FALSE(feed(*p, std::string_view(stream).substr(0, split)));
    const auto complete =
        static_cast<std::size_t>(std::count_if(ends.begin(), ends.end(), [&](std::size_t e) { return e <= split; }));
    CHECK(log == Log(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(complete)));
    REQUIRE_FALSE(feed(*p, std::string_view(stream).substr(split)));
    CHECK(log == all);
    CHECK(p->idle());
  }
  SECTION("one byte per read") {
    Log log;
    auto p = start(log);
    REQUIRE_FALSE(feed(*p, stream, t0, 1));
    CHECK(log == all);
  }
}

TEST_CASE("pipeline: max_requests_in_flight holds back writes until replies come", "[unit]") {
  Log log;
  Pipeline p(options(2), {});
  for (const char* k : {"a", "b", "c", "d", "e"})
    p.submit(line(log, k, std::string("set ") + k + " 0 0 1\r\nx\r\n"), t0);
  CHECK(write(p) == "set a 0 0 1\r\nx\r\nset b 0 0 1\r\nx\r\n");
  CHECK_FALSE(p.can_write());
  CHECK(p.prepare_write(t0).empty());
  REQUIRE_FALSE(feed(p, "STORED\r\n"));
  CHECK(log == Log{ok("a", "STORED")});
  CHECK(write(p) == "set c 0 0 1\r\nx\r\n");
  REQUIRE_FALSE(feed(p, "STORED\r\nSTORED\r\n"));
  CHECK(write(p) == "set d 0 0 1\r\nx\r\nset e 0 0 1\r\nx\r\n");
  REQUIRE_FALSE(feed(p, "STORED\r\nNOT_STORED\r\n"));
  CHECK(log == Log{ok("a", "STORED"), ok("b", "STORED"), ok("c", "STORED"), ok("d", "STORED"), ok("e", "NOT_STORED")});

  SECTION("0 means one at a time") {
    Log one;
    Pipeline q(options(0), {});
    q.submit(line(one, "a", "set a 0 0 1\r\nx\r\n"), t0);
    q.submit(line(one, "b", "set b 0 0 1\r\nx\r\n"), t0);
    CHECK(write(q) == "set a 0 0 1\r\nx\r\n");
    CHECK(q.prepare_write(t0).empty());
  }
}

TEST_CASE("pipeline: after noreply requests a version goes first and takes the stray errors", "[unit]") {
  Log log;
  std::vector<std::string> messages;
  Pipeline p(options(), [&](std::string_view m) { messages.emplace_back(m); });
  p.submit(noreply(log, "set a", "set a 0 0 1 noreply\r\nx\r\n"), t0);
  p.submit(noreply(log, "bad", "set b 0 0 bad noreply\r\n"), t0);
  CHECK(write(p) == "set a 0 0 1 noreply\r\nx\r\nset b 0 0 bad noreply\r\n");
  // Done once written; nothing is owed, but the connection is out of sync.
  CHECK(log == Log{ok("set a"), ok("bad")});
  CHECK_FALSE(p.wants_read());
  CHECK(p.unsynced());

  p.submit(get(log, "a"), t0);
  CHECK(write(p) == "version\r\nget a\r\n");
  CHECK_FALSE(p.unsynced());
  // Two errors memcached answered to the bad noreply request come first.
  REQUIRE_FALSE(
      feed(p, "CLIENT_ERROR bad command line format\r\nERROR\r\nVERSION 1.6.21\r\nVALUE a 0 1\r\nx\r\nEND\r\n"));
  CHECK(log == Log{ok("set a"), ok("bad"), ok("get a", "x")});
  CHECK(messages == std::vector<std::string>{"2 noreply request(s) failed: ERROR"});
  // The server may have skipped input after those errors.
  CHECK(p.retiring());

  SECTION("no version when nothing unsynced, none for noreply followed by noreply") {
    Log l;
    Pipeline q(options(), {});
    q.submit(get(l, "x"), t0);
    q.submit(noreply(l, "n1", "delete y noreply\r\n"), t0);
    q.submit(noreply(l, "n2", "delete z noreply\r\n"), t0);
    q.submit(line(l, "set w", "set w 0 0 1\r\nw\r\n"), t0);
    CHECK(write(q) == "get x\r\ndelete y noreply\r\ndelete z noreply\r\nversion\r\nset w 0 0 1\r\nw\r\n");
    REQUIRE_FALSE(feed(q, "END\r\nVERSION 1.6\r\nSTORED\r\n"));
    CHECK(l == Log{ok("n1"), ok("n2"), ok("get x", "miss"), ok("set w", "STORED")});
    CHECK_FALSE(q.retiring());
    CHECK(q.idle());
  }
}

TEST_CASE("pipeline: consecutive single-key gets go out as one get, each value to its caller", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  p.submit(get(log, "a"), t0);
  p.submit(get(log, "b"), t0);
  p.submit(get(log, "c"), t0);
  p.submit(get(log, "d", true), t0);
  p.submit(get(log, "e", true), t0);
  p.submit(get(log, "f", true), t0);
  p.submit(line(log, "set g", "set g 0 0 1\r\ng\r\n"), t0);
  p.submit(get(log, "h"), t0);
  CHECK(write(p) == "get a b c\r\ngets d e f\r\nset g 0 0 1\r\ng\r\nget h\r\n");
  REQUIRE_FALSE(feed(p,
                     "VALUE a 0 2\r\naa\r\nVALUE c 0 2\r\ncc\r\nEND\r\n"
                     "VALUE e 0 2 55\r\nee\r\nVALUE f 0 2 66\r\nff\r\nEND\r\n"
                     "STORED\r\n"
                     "VALUE h 0 2\r\nhh\r\nEND\r\n"));
  CHECK(log == Log{ok("get a", "aa"), ok("get b", "miss"), ok("get c", "cc"), ok("get d", "miss"), ok("get e", "ee:55"),
                   ok("get f", "ff:66"), ok("set g", "STORED"), ok("get h", "hh")});
  CHECK(p.idle());

  SECTION("a batch counts once against max_requests_in_flight") {
    Log l;
    Pipeline q(options(1), {});
    for (const char* k : {"x", "y", "z"}) q.submit(get(l, k), t0);
    CHECK(write(q) == "get x y z\r\n");
  }
}

TEST_CASE("pipeline: a VALUE for a key not asked for fails what is in flight, the rest is rerouted", "[unit]") {
  Log log;
  Pipeline p(options(3), {});
  p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
  p.submit(get(log, "b"), t0);
  p.submit(line(log, "set c", "set c 0 0 1\r\nc\r\n"), t0);
  p.submit(get(log, "d"), t0);  // beyond the bound: never written
  p.submit(line(log, "set e", "set e 0 0 1\r\ne\r\n"), t0);
  CHECK(write(p) == "set a 0 0 1\r\na\r\nget b\r\nset c 0 0 1\r\nc\r\n");
  const auto error = feed(p, "STORED\r\nVALUE zzz 0 1\r\nz\r\nEND\r\nSTORED\r\n");
  REQUIRE(error);
  CHECK_THAT(*error, Contains("value for key \"zzz\", which was not asked for"));
  // The reply before the bad one was good.
  CHECK(log == Log{ok("set a", "STORED")});

  auto rerouted = p.fail(make_error_code(errc::protocol_error));
  CHECK(log ==
        Log{ok("set a", "STORED"), failed("get b", errc::protocol_error), failed("set c", errc::protocol_error)});
  REQUIRE(rerouted.size() == 2);
  CHECK(rerouted[0].bytes == "get d\r\n");
  CHECK(rerouted[0].route_key == std::optional<std::string>("d"));
  CHECK(rerouted[1].bytes == "set e 0 0 1\r\ne\r\n");
  CHECK(p.idle());
  CHECK_FALSE(p.can_write());
  // Still whole: their callers hear from wherever they are sent next.
  rerouted[0].done({});
  CHECK(log.back() == ok("get d", "miss"));
}

TEST_CASE("pipeline: a bare ERROR to a pipelined request is a protocol error", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
  p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0);
  write(p);
  const auto error = feed(p, "ERROR\r\n");
  REQUIRE(error);
  CHECK_THAT(*error, Contains("memcached answered ERROR"));
  CHECK(log.empty());
  CHECK(p.fail(make_error_code(errc::protocol_error)).empty());
  CHECK(log == Log{failed("set a", errc::protocol_error), failed("set b", errc::protocol_error)});
}

TEST_CASE("pipeline: after CLIENT_ERROR nothing more is written, it closes once answered", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
  p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0);
  write(p);
  p.submit(line(log, "set c", "set c 0 0 1\r\nc\r\n"), t0);
  REQUIRE_FALSE(feed(p, "CLIENT_ERROR bad data chunk\r\n"));
  CHECK(log == Log{ok("set a", "CLIENT_ERROR")});
  CHECK(p.retiring());
  CHECK_FALSE(p.retired());  // set b is owed
  CHECK_FALSE(p.can_write());
  CHECK(p.prepare_write(t0).empty());
  REQUIRE_FALSE(feed(p, "STORED\r\n"));
  CHECK(log == Log{ok("set a", "CLIENT_ERROR"), ok("set b", "STORED")});
  CHECK(p.retired());
  // The connection closes without an error: set c goes to a fresh one.
  auto rerouted = p.fail({});
  REQUIRE(rerouted.size() == 1);
  CHECK(rerouted[0].bytes == "set c 0 0 1\r\nc\r\n");
  CHECK(log.size() == 2);

  SECTION("a write under way is finished first") {
    Log l;
    Pipeline q(options(), {});
    q.submit(line(l, "set x", "set x 0 0 1\r\nx\r\n"), t0);
    CHECK_FALSE(q.prepare_write(t0).empty());
    REQUIRE_FALSE(feed(q, "CLIENT_ERROR line too long\r\n"));
    CHECK(q.retiring());
    CHECK_FALSE(q.retired());
    written(q);
    CHECK(q.retired());
  }
}

TEST_CASE("pipeline: each reply is owed within socket_timeout of its own write, whatever else arrives", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  CHECK_FALSE(p.deadline());
  CHECK(p.timed_out(t0 + 1h) == Expired::nothing);

  p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
  CHECK(write(p, t0) == "set a 0 0 1\r\na\r\n");
  CHECK(p.deadline() == t0 + timeout);
  p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0 + 400ms);
  write(p, t0 + 400ms);
  CHECK(p.deadline() == t0 + timeout);  // the head's, not b's
  CHECK(p.timed_out(t0 + timeout - 1ms) == Expired::nothing);
  CHECK(p.timed_out(t0 + timeout) == Expired::reply);

  // Part of a reply, or another request's reply, is no sign that the head's
  // (or the next one's) is coming: deadlines stay where they were.
  REQUIRE_FALSE(feed(p, "STO", t0 + 900ms));
  CHECK(p.deadline() == t0 + timeout);
  REQUIRE_FALSE(feed(p, "RED\r\n", t0 + 950ms));
  CHECK(p.deadline() == t0 + 400ms + timeout);  // b's own
  CHECK(p.timed_out(t0 + 400ms + timeout - 1ms) == Expired::nothing);
  CHECK(p.timed_out(t0 + 400ms + timeout) == Expired::reply);
  REQUIRE_FALSE(feed(p, "STORED\r\n", t0 + 1s));
  CHECK_FALSE(p.deadline());
  CHECK(log == Log{ok("set a", "STORED"), ok("set b", "STORED")});

  SECTION("a slow stream of replies cannot keep a late one alive") {
    // A server answering one request every 600 ms: each request is given its
    // own bound, so the third, written at t0 + 1 s, is late at t0 + 2 s.
    for (const char* k : {"c", "d", "e"}) p.submit(line(log, k, std::string("set ") + k + " 0 0 1\r\nx\r\n"), t0 + 1s);
    write(p, t0 + 1s);
    REQUIRE_FALSE(feed(p, "STORED\r\n", t0 + 1600ms));
    CHECK(p.timed_out(t0 + 1600ms) == Expired::nothing);
    REQUIRE_FALSE(feed(p, "STORED\r\n", t0 + 1999ms));
    CHECK(p.timed_out(t0 + 1999ms) == Expired::nothing);
    CHECK(p.timed_out(t0 + 2s) == Expired::reply);
  }
}

TEST_CASE("pipeline: a write times out only when its bytes stop moving", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  p.submit(noreply(log, "set a", "set a 0 0 1 noreply\r\na\r\n"), t0);
  CHECK_FALSE(p.prepare_write(t0).empty());
  CHECK_FALSE(p.wants_read());
  CHECK(p.deadline() == t0 + timeout);
  CHECK(p.timed_out(t0 + timeout) == Expired::write);
  written(p);
  CHECK_FALSE(p.deadline());
  CHECK(log == Log{ok("set a")});

  SECTION("a large write that always moves never times out, however long it takes") {
    Pipeline q(options(), {});  // no noreply before, so no version first
    log.clear();
    const std::string big(1000, 'v');
    q.submit(line(log, "set big", "set big 0 0 1000\r\n" + big + "\r\n"), t0);
    q.submit(line(log, "set small", "set small 0 0 1\r\ns\r\n"), t0);
    const std::string bytes(q.prepare_write(t0));
    REQUIRE(bytes.size() > 1000);
    // 100 bytes every 900 ms: 10 s for the whole write, 9 x socket_timeout.
    auto now = t0;
    while (q.unwritten().size() > 100) {
      now += 900ms;
      CHECK(q.timed_out(now) == Expired::nothing);
      q.on_written(100, now);
      CHECK(q.writing());
      CHECK(q.deadline() == now + timeout);
    }
    // The big set's last byte goes out now: its reply is owed from here.
    const std::size_t rest = q.unwritten().size();
    const std::size_t small = std::string("set small 0 0 1\r\ns\r\n").size();
    REQUIRE(rest > small);
    now += 900ms;
    q.on_written(rest - small, now);
    const auto big_sent = now;
    CHECK(q.deadline() == big_sent + timeout);
    now += 900ms;
    CHECK(q.timed_out(now) == Expired::nothing);
    written(q, now);
    CHECK_FALSE(q.writing());
    CHECK(q.deadline() == big_sent + timeout);  // the big set's, then the small one's
    REQUIRE_FALSE(feed(q, "STORED\r\n", now));
    CHECK(q.deadline() == now + timeout);
    REQUIRE_FALSE(feed(q, "STORED\r\n", now));
    CHECK(log == Log{ok("set big", "STORED"), ok("set small", "STORED")});
  }
  SECTION("a write that stalls times out socket_timeout after its last progress") {
    p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0);
    CHECK_FALSE(p.prepare_write(t0).empty());
    p.on_written(3, t0 + 600ms);
    CHECK(p.timed_out(t0 + 600ms + timeout - 1ms) == Expired::nothing);
    CHECK(p.timed_out(t0 + 600ms + timeout) == Expired::write);
    p.on_written(0, t0 + 1s);  // no progress, no more time
    CHECK(p.timed_out(t0 + 600ms + timeout) == Expired::write);
  }
  SECTION("the earlier of the write's and the head reply's") {
    p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0);
    write(p, t0);
    REQUIRE_FALSE(feed(p, "ST", t0 + 500ms));  // head: t0 + 1 s
    p.submit(line(log, "set c", "set c 0 0 1\r\nc\r\n"), t0 + 600ms);
    CHECK_FALSE(p.prepare_write(t0 + 600ms).empty());  // write: t0 + 1.6 s
    CHECK(p.deadline() == t0 + timeout);
    CHECK(p.timed_out(t0 + timeout) == Expired::reply);
    CHECK(p.timed_out(t0 + 600ms + timeout) == Expired::write);
  }
  SECTION("a timeout fails the noreply request in the write under way") {
    p.submit(noreply(log, "set d", "set d 0 0 1 noreply\r\nd\r\n"), t0);
    CHECK_FALSE(p.prepare_write(t0).empty());
    CHECK(p.fail(make_error_code(errc::timed_out)).empty());
    CHECK(log == Log{ok("set a"), failed("set d", errc::timed_out)});
  }
}

namespace {
// What the kernel says of the send queue: `unsent` bytes, and (TCP) when the
// peer last acknowledged some; without it, as over a unix socket.
SendQueue queue_of(std::size_t unsent, std::optional<std::chrono::milliseconds> since_ack = std::nullopt) {
  return SendQueue{unsent, since_ack};
}
}  // namespace

TEST_CASE("pipeline: a request whose bytes still leave the kernel's buffer is being sent, not late", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  const std::string big(1000, 'v');
  p.submit(line(log, "set big", "set big 0 0 1000\r\n" + big + "\r\n"), t0);
  const std::size_t size = write(p, t0).size();  // all of it into the kernel at once
  CHECK(p.deadline() == t0 + timeout);
  CHECK(p.timed_out(t0 + timeout) == Expired::reply);
  // The connection looks at the kernel's send queue when the reply is due.
  SECTION("while it drains, socket_timeout at a time") {
    CHECK(p.still_sending(queue_of(size - 100), t0 + timeout));
    CHECK(p.deadline() == t0 + 2 * timeout);
    CHECK(p.still_sending(queue_of(size - 300), t0 + 2 * timeout));
    CHECK(p.deadline() == t0 + 3 * timeout);
    CHECK(p.timed_out(t0 + 3 * timeout - 1ms) == Expired::nothing);
    // Stuck: late.
    CHECK_FALSE(p.still_sending(queue_of(size - 300), t0 + 3 * timeout));
    CHECK(p.timed_out(t0 + 3 * timeout) == Expired::reply);
  }
  SECTION("without TCP's clock, a blackhole: nothing leaves, and the timer fires late each time") {
    // Looks a little more than socket_timeout apart must not each count as
    // a first look (they did: calls waited out a whole blackhole).
    CHECK(p.still_sending(queue_of(size), t0 + timeout + 7ms));
    CHECK(p.deadline() == t0 + 2 * timeout + 7ms);
    CHECK_FALSE(p.still_sending(queue_of(size), t0 + 2 * timeout + 20ms));
    CHECK(p.timed_out(t0 + 2 * timeout + 20ms) == Expired::reply);
  }
  SECTION("the next request gets a first look of its own") {
    p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0 + 10ms);
    const std::size_t more = write(p, t0 + 10ms).size();
    CHECK(p.still_sending(queue_of(size + more), t0 + timeout));
    REQUIRE_FALSE(feed(p, "STORED\r\n", t0 + timeout + 10ms));  // big's reply
    CHECK(p.deadline() == t0 + 10ms + timeout);                 // b's own
    CHECK(p.still_sending(queue_of(more), t0 + 10ms + timeout));
    CHECK_FALSE(p.still_sending(queue_of(more), t0 + 10ms + 3 * timeout));
  }
  SECTION("TCP: acknowledgements within socket_timeout say the bytes move") {
    CHECK(p.still_sending(queue_of(size - 100, 20ms), t0 + timeout));
    CHECK(p.deadline() == t0 + 2 * timeout);
    CHECK(p.still_sending(queue_of(size - 900, timeout - 1ms), t0 + 2 * timeout));
    CHECK(p.deadline() == t0 + 3 * timeout);
    CHECK_FALSE(p.still_sending(queue_of(size - 900, timeout + 5ms), t0 + 3 * timeout + 5ms));
    CHECK(p.timed_out(t0 + 3 * timeout + 5ms) == Expired::reply);
  }
  SECTION("TCP: a blackhole (no acknowledgement for socket_timeout) is seen at the first look") {
    CHECK_FALSE(p.still_sending(queue_of(size, timeout + 3ms), t0 + timeout + 3ms));
    CHECK(p.timed_out(t0 + timeout + 3ms) == Expired::reply);
  }
  SECTION("TCP: a peer that stopped reading still acknowledges window probes, but nothing leaves") {
    CHECK(p.still_sending(queue_of(size - 100, 150ms), t0 + timeout));
    CHECK_FALSE(p.still_sending(queue_of(size - 100, 300ms), t0 + 2 * timeout));
  }
  SECTION("all of it has left the host: the reply is late") {
    CHECK_FALSE(p.still_sending(queue_of(0), t0 + timeout));
    CHECK(p.timed_out(t0 + timeout) == Expired::reply);
  }
  SECTION("bytes of later requests in the queue say nothing of this one") {
    p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0 + 10ms);
    const std::size_t more = write(p, t0 + 10ms).size();
    CHECK_FALSE(p.still_sending(queue_of(more), t0 + timeout));
  }
}

TEST_CASE("pipeline: a request never written fails alone after connect_timeout + socket_timeout", "[unit]") {
  Log log;
  Options o = options(1);
  o.connect_timeout = 500ms;
  const auto bound = o.connect_timeout + timeout;
  Pipeline p(o, {});
  p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
  write(p, t0);
  // The pipeline is full (one in flight): b and c wait.
  p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0 + 100ms);
  p.submit(line(log, "set c", "set c 0 0 1\r\nc\r\n"), t0 + 300ms);
  CHECK(p.deadline() == t0 + timeout);  // a's reply comes first
  REQUIRE_FALSE(feed(p, "STORED\r\n", t0 + 900ms));
  REQUIRE(write(p, t0 + 900ms) == "set b 0 0 1\r\nb\r\n");
  CHECK(p.deadline() == t0 + 300ms + bound);  // c's wait, before b's reply
  p.expire_queued(t0 + 300ms + bound - 1ms);
  CHECK(log == Log{ok("set a", "STORED")});
  p.expire_queued(t0 + 300ms + bound);
  CHECK(log == Log{ok("set a", "STORED"), failed("set c", errc::timed_out)});
  // The connection goes on: b is still owed its reply.
  CHECK(p.deadline() == t0 + 900ms + timeout);
  CHECK(p.timed_out(t0 + 300ms + bound) == Expired::nothing);
  REQUIRE_FALSE(feed(p, "STORED\r\n", t0 + 1s));
  CHECK(log.back() == ok("set b", "STORED"));
  CHECK(p.idle());

  SECTION("a rerouted request keeps the time it was first queued") {
    AsyncRequest r = line(log, "set d", "set d 0 0 1\r\nd\r\n");
    r.queued = t0;
    p.submit(std::move(r), t0 + 1s);
    CHECK(p.deadline() == t0 + bound);
  }
}

TEST_CASE("pipeline: a cut connection fails what was written, reroutes the rest, fails its own flush", "[unit]") {
  Log log;
  const auto cut = make_error_code(errc::connection_failed);

  SECTION("requests in flight fail, those never written are handed back in order") {
    Pipeline p(options(1), {});
    p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
    p.submit(get(log, "b"), t0);
    p.submit(line(log, "set c", "set c 0 0 1\r\nc\r\n"), t0);
    CHECK(write(p) == "set a 0 0 1\r\na\r\n");
    REQUIRE_FALSE(feed(p, "STOR"));
    auto rerouted = p.fail(cut);
    CHECK(log == Log{failed("set a", cut)});
    REQUIRE(rerouted.size() == 2);
    CHECK(rerouted[0].bytes == "get b\r\n");
    CHECK(rerouted[1].bytes == "set c 0 0 1\r\nc\r\n");
    CHECK_FALSE(p.deadline());
    CHECK_FALSE(p.wants_read());
  }
  SECTION("the flush on reconnect belongs to the connection: it fails, is not rerouted") {
    Pipeline p(options(), {});
    p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
    auto flush = line(log, "flush", "flush_all\r\n", LineOperation::flush());
    flush.reroutable = false;
    p.submit_first(std::move(flush), t0);
    auto rerouted = p.fail(make_error_code(errc::timed_out));
    CHECK(log == Log{failed("flush", errc::timed_out)});
    REQUIRE(rerouted.size() == 1);
    CHECK(rerouted[0].bytes == "set a 0 0 1\r\na\r\n");
  }
  SECTION("closed without an error (idle, retired), the flush still fails") {
    Pipeline p(options(), {});
    auto flush = line(log, "flush", "flush_all\r\n", LineOperation::flush());
    flush.reroutable = false;
    p.submit_first(std::move(flush), t0);
    CHECK(p.fail({}).empty());
    CHECK(log == Log{failed("flush", cut)});
  }
  SECTION("the flush goes ahead of what was queued") {
    Pipeline p(options(), {});
    p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
    auto flush = line(log, "flush", "flush_all\r\n", LineOperation::flush());
    flush.reroutable = false;
    p.submit_first(std::move(flush), t0);
    CHECK(write(p) == "flush_all\r\nset a 0 0 1\r\na\r\n");
    REQUIRE_FALSE(feed(p, "OK\r\nSTORED\r\n"));
    CHECK(log == Log{ok("flush", "OK"), ok("set a", "STORED")});
  }
}

TEST_CASE("pipeline: SERVER_ERROR answers one request, the others and the connection go on", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  p.submit(line(log, "set a", "set a 0 0 1\r\na\r\n"), t0);
  p.submit(get(log, "b"), t0);
  p.submit(line(log, "set big", "set big 0 0 1\r\nx\r\n"), t0);
  p.submit(line(log, "delete d", "delete d\r\n", LineOperation::deletion()), t0);
  write(p);
  REQUIRE_FALSE(feed(p,
                     "STORED\r\nSERVER_ERROR backend down\r\nSERVER_ERROR object too large for cache\r\n"
                     "DELETED\r\n"));
  CHECK(log == Log{ok("set a", "STORED"), ok("get b", "error: backend down"), ok("set big", "SERVER_ERROR"),
                   ok("delete d", "DELETED")});
  CHECK_FALSE(p.retiring());
  p.submit(get(log, "e"), t0);
  CHECK(write(p) == "get e\r\n");
  REQUIRE_FALSE(feed(p, "VALUE e 0 1\r\ne\r\nEND\r\n"));
  CHECK(log.back() == ok("get e", "e"));

  SECTION("before a request is all written") {
    // memcached refuses a value too large from its command line and skips
    // the data: the reply may come while the write is still under way.
    p.submit(line(log, "set f", "set f 0 0 1\r\nf\r\n"), t0);
    p.submit(line(log, "set g", "set g 0 0 1\r\ng\r\n"), t0);
    CHECK_FALSE(p.prepare_write(t0).empty());
    p.on_written(5, t0);
    REQUIRE_FALSE(feed(p, "SERVER_ERROR object too large for cache\r\n"));
    CHECK(log.back() == ok("set f", "SERVER_ERROR"));
    written(p, t0 + 100ms);
    CHECK(p.deadline() == t0 + 100ms + timeout);
    REQUIRE_FALSE(feed(p, "STORED\r\n"));
    CHECK(log.back() == ok("set g", "STORED"));
    CHECK(p.idle());
  }
}

TEST_CASE("pipeline: a batch of gets answered SERVER_ERROR is sent again one get at a time", "[unit]") {
  // A proxy answers a whole multi-key get with SERVER_ERROR when one of its
  // backends is down: each get gets its own answer instead.
  Log log;
  Pipeline p(options(), {});
  p.submit(get(log, "a"), t0);
  p.submit(get(log, "b"), t0);
  p.submit(get(log, "c"), t0);
  p.submit(line(log, "set d", "set d 0 0 1\r\nd\r\n"), t0);
  CHECK(write(p) == "get a b c\r\nset d 0 0 1\r\nd\r\n");
  // memcached may send values before an error (out of memory mid-reply).
  REQUIRE_FALSE(feed(p, "VALUE a 0 2\r\naa\r\nSERVER_ERROR backend down\r\nSTORED\r\n"));
  CHECK(log == Log{ok("get a", "aa"), ok("set d", "STORED")});
  CHECK_FALSE(p.retiring());
  CHECK(write(p) == "get b\r\nget c\r\n");  // never batched again
  REQUIRE_FALSE(feed(p, "SERVER_ERROR backend down\r\nVALUE c 0 2\r\ncc\r\nEND\r\n"));
  CHECK(log == Log{ok("get a", "aa"), ok("set d", "STORED"), ok("get b", "error: backend down"), ok("get c", "cc")});
  CHECK(p.idle());
}

TEST_CASE("pipeline: a callback may queue more while requests complete", "[unit]") {
  Log log;
  Pipeline p(options(), {});
  auto first = line(log, "set a", "set a 0 0 1\r\na\r\n");
  first.done = [&p, &log, inner = std::move(first.done)](std::error_code ec) mutable {
    inner(ec);
    p.submit(get(log, "a"), t0);
  };
  p.submit(std::move(first), t0);
  p.submit(line(log, "set b", "set b 0 0 1\r\nb\r\n"), t0);
  write(p);
  REQUIRE_FALSE(feed(p, "STORED\r\nSTORED\r\n"));
  CHECK(log == Log{ok("set a", "STORED"), ok("set b", "STORED")});
  CHECK(write(p) == "get a\r\n");
  REQUIRE_FALSE(feed(p, "END\r\n"));
  CHECK(log.back() == ok("get a", "miss"));
}
