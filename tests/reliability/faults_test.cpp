// Servers that cut replies, die, come back empty, are slow, drop connections
// or lie: each fault fails (at most) the call that meets it, as a miss, false
// or memcache::Error, within socket_timeout; the next call works and no call
// ever returns a value that is not its own.

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "reliability.hpp"

using namespace rtest;

namespace {

std::string big_value(std::size_t size) {
  std::string v;
  v.reserve(size);
  for (std::size_t i = 0; v.size() < size; ++i) v += "chunk-" + std::to_string(i) + ";";
  v.resize(size);
  return v;
}

}  // namespace

TEST_CASE("a reply cut in the middle of a value fails that call only", "[integration][reliability]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Options options = fast_options();
  // One connection, and never skipped: the next call is on the same server.
  options.dead_retry = 0s;
  options.max_connections_per_server = 1;
  memcache::Client mc({proxy.spec()}, options);
  const std::string big = big_value(300 * 1024);
  REQUIRE(succeeds_within_tries([&] { return mc.set("big", big); }));
  REQUIRE(succeeds_within_tries([&] { return mc.set("small", "small value"); }));

  // Cut after the VALUE line, in the value, in the header, just before the
  // last \r\n and just before END.
  const std::size_t header = std::string("VALUE big 0 307200\r\n").size();
  const std::size_t cut = GENERATE_COPY(std::size_t{5}, header, header + 1000, header + 150000, header + big.size(),
                                        header + big.size() + 2 + 3);
  INFO("cut after " << cut << " bytes");
  proxy.cut_reply_after(cut);
  const auto start = Clock::now();
  CHECK(mc.get("big") == std::nullopt);
  CHECK(ms_since(start) < timeout_ms + slack_ms);
  CHECK(proxy.faults_injected() == 1);

  CHECK(mc.get("big") == OptStr(big));
  CHECK(mc.get("small") == OptStr("small value"));
  CHECK(mc.get_multi({"big", "small"}) ==
        std::unordered_map<std::string, std::string>{{"big", big}, {"small", "small value"}});

  // The same in a multi-key reply.
  proxy.cut_reply_after(cut);
  CHECK(mc.get_multi({"big", "small"}).empty());
  CHECK(mc.get_multi({"big", "small"}).size() == 2);
  CHECK(proxy.open_connections() <= 1);
}

TEST_CASE("a dead server is marked dead, its keys rehash, and it is retried after dead_retry",
          "[integration][reliability]") {
  MemcachedServer s0, s1, s2;
  FaultProxy proxy(s1.port());
  LogCapture log;
  memcache::Options options = fast_options();  // dead_retry 1 s
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({s0.spec(), proxy.spec(), s2.spec()}, options);

  std::map<std::string, std::string> batch;
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) {
    keys.push_back("key" + std::to_string(i));
    batch.emplace(keys.back(), value_for(keys.back()));
  }
  REQUIRE(mc.set_multi(batch).empty());
  std::vector<std::string> on_s1;
  for (const auto& k : keys) {
    if (probe(s1).get(k)) on_s1.push_back(k);
  }
  REQUIRE(on_s1.size() > 20);

  // Dies: open connections drop, new ones are closed as soon as accepted.
  proxy.refuse(true);
  proxy.drop_connections();
  CHECK(mc.get(on_s1[0]) == std::nullopt);
  CHECK(log.contains("Marking dead"));
  const auto marked = Clock::now();
  const std::size_t accepted = proxy.accepted();

  // Skipped: its keys rehash to live servers (misses there, then stored
  // there), the others' keys are all found, nothing is wrong, and nothing
  // tries the dead server.
  auto start = Clock::now();
  auto found = mc.get_multi(keys);
  CHECK(found.size() == keys.size() - on_s1.size());
  for (const auto& [k, v] : found) CHECK(v == value_for(k));
  for (std::size_t i = 1; i < 11; ++i) {
    CHECK(mc.get(on_s1[i]) == std::nullopt);
    CHECK(mc.set(on_s1[i], "rehashed"));
    CHECK(mc.get(on_s1[i]) == OptStr("rehashed"));
  }
  CHECK(mc.get_stats().size() == 2);
  CHECK(ms_since(start) < 700);  // the client's own calls (the probes below connect anew: not timed)
  CHECK(proxy.accepted() == accepted);
  for (std::size_t i = 1; i < 11; ++i) CHECK(probe(s1).get(on_s1[i]) == OptStr(value_for(on_s1[i])));  // untouched

  // Back, and past dead_retry: used again.
  proxy.refuse(false);
  std::this_thread::sleep_until(marked + options.dead_retry + 50ms);
  CHECK(mc.get(on_s1[1]) == OptStr(value_for(on_s1[1])));
  CHECK(proxy.accepted() > accepted);
  found = mc.get_multi(keys);
  CHECK(found.size() == keys.size());
  for (const auto& [k, v] : found) {
    const bool rehashed = std::find(on_s1.begin() + 1, on_s1.begin() + 11, k) != on_s1.begin() + 11;
    if (!rehashed) CHECK(v == value_for(k));
  }
  CHECK(mc.get_stats().size() == 3);
}

TEST_CASE("a server restarted empty gives misses and is not marked dead", "[integration][reliability]") {
  MemcachedServer s0, s1;
  LogCapture log;
  memcache::Options options = fast_options();
  options.dead_retry = 30s;  // were it marked dead, its keys would move to s0 for the rest of the test
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({s0.spec(), s1.spec()}, options);
  std::vector<std::string> on_s1;
  for (int i = 0; on_s1.size() < 5; ++i) {
    const std::string k = "key" + std::to_string(i);
    REQUIRE(mc.set(k, value_for(k)));
    if (probe(s1).get(k)) on_s1.push_back(k);
  }

  s1.kill();
  s1.restart();

  // The pooled connection died with the old process: the client notices
  // before using it, and asks the new process, which has nothing.
  CHECK(mc.get(on_s1[0]) == std::nullopt);
  CHECK(mc.get_multi(on_s1).empty());
  CHECK(mc.incr(on_s1[1]) == std::nullopt);
  CHECK_FALSE(log.contains("Marking dead"));
  CHECK(mc.set(on_s1[0], "new"));
  CHECK(probe(s1).get(on_s1[0]) == OptStr("new"));
  CHECK(probe(s0).get(on_s1[0]) == std::nullopt);
  CHECK(mc.get(on_s1[0]) == OptStr("new"));
}

TEST_CASE("a slow server: calls succeed under socket_timeout, fail in time above it", "[integration][reliability]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Options options = fast_options();
  options.dead_retry = 0s;
  memcache::Client mc({proxy.spec()}, options);
  REQUIRE(succeeds_within_tries([&] { return mc.set("k", value_for("k")); }));

  proxy.delay(50ms);  // each way: 100 ms a round trip
  CHECK(mc.get("k") == OptStr(value_for("k")));
  CHECK(mc.set("k2", "v2"));
  CHECK(mc.get_multi({"k", "k2"}).size() == 2);

  proxy.delay(300ms);
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    CHECK(mc.get("k") == std::nullopt);
    CHECK(ms_since(start) < timeout_ms + slack_ms);
  }
  // The late replies reach connections the client has closed.
  proxy.pass_through();
  std::this_thread::sleep_for(700ms);
  for (int i = 0; i < 20; ++i) {
    CHECK(mc.get("k") == OptStr(value_for("k")));
    CHECK(mc.get("k2") == OptStr("v2"));
  }
}

TEST_CASE("connections dropped under load: no wrong values, then everything works", "[integration][reliability]") {
  MemcachedServer s0, s1;
  FaultProxy proxy(s1.port());
  memcache::Options options = fast_options();
  options.dead_retry = 0s;
  memcache::Client mc({s0.spec(), proxy.spec()}, options);
  std::vector<std::string> keys;
  std::map<std::string, std::string> batch;
  for (int i = 0; i < 2000; ++i) {
    keys.push_back("drop:" + std::to_string(i));
    batch.emplace(keys.back(), value_for(keys.back()));
  }
  REQUIRE(succeeds_within_tries([&] { return mc.set_multi(batch).empty(); }));

  std::atomic<bool> stop{false};
  std::atomic<long long> wrong{0}, reads{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      while (!stop) {
        const std::string& k = keys[rng() % keys.size()];
        auto v = t % 2 ? mc.get(k) : [&] {
          auto m = mc.get_multi({k, keys[rng() % keys.size()]});
          auto it = m.find(k);
          return it == m.end() ? OptStr() : OptStr(it->second);
        }();
        ++reads;
        if (v && *v != value_for(k)) ++wrong;
      }
    });
  }
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(50ms);
    proxy.drop_connections();
  }
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  CHECK(reads > 100);
  auto found = mc.get_multi(keys);
  CHECK(found.size() == keys.size());
  for (const auto& [k, v] : found) CHECK(v == value_for(k));
}

// -- lying servers --------------------------------------------------------------

namespace {

enum class Call { get, get_multi, gets, set, incr, del, touch, stats };

const char* call_name(Call c) {
  switch (c) {
    case Call::get:
      return "get";
    case Call::get_multi:
      return "get_multi";
    case Call::gets:
      return "gets";
    case Call::set:
      return "set";
    case Call::incr:
      return "incr";
    case Call::del:
      return "delete";
    case Call::touch:
      return "touch";
    case Call::stats:
      return "stats";
  }
  return "?";
}

struct Lie {
  const char* name;
  Call call;
  std::string reply;
  bool then_close = false;
};

std::string garbage(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::vector<Lie> lies() {
  return {
      // get: bad lengths, limits, terminators, keys, order, types
      {"length longer than the data", Call::get, "VALUE k 0 5\r\nab\r\nEND\r\n"},
      {"length shorter than the data", Call::get, "VALUE k 0 2\r\nabcdef\r\nEND\r\n"},
      {"length over memcached's 1 GiB item limit", Call::get, "VALUE k 0 1073741825\r\n"},
      {"length out of range", Call::get, "VALUE k 0 18446744073709551616\r\nabc\r\nEND\r\n"},
      {"negative length", Call::get, "VALUE k 0 -1\r\n\r\nEND\r\n"},
      {"flags not a number", Call::get, "VALUE k zero 3\r\nabc\r\nEND\r\n"},
      {"flags out of range", Call::get, "VALUE k 4294967296 3\r\nabc\r\nEND\r\n"},
      {"extra field", Call::get, "VALUE k 0 3 1 2\r\nabc\r\nEND\r\n"},
      {"empty key", Call::get, "VALUE  0 3\r\nabc\r\nEND\r\n"},
      {"value with no terminator, then silence", Call::get, "VALUE k 0 3\r\nabc"},
      {"value run into END", Call::get, "VALUE k 0 3\r\nabcEND\r\n"},
      {"line ended by \\n alone", Call::get, "VALUE k 0 3\nabc\r\nEND\r\n"},
      {"END without \\r\\n, then silence", Call::get, "END"},
      {"END with \\n alone", Call::get, "END\n"},
      {"value for a key not asked for", Call::get, "VALUE other 0 3\r\nabc\r\nEND\r\n"},
      {"value for a longer key", Call::get, "VALUE kk 0 3\r\nabc\r\nEND\r\n"},
      {"the same key twice", Call::get, "VALUE k 0 3\r\nabc\r\nVALUE k 0 3\r\nxyz\r\nEND\r\n"},
      {"unknown reply line", Call::get, "HELLO WORLD\r\n"},
      {"STORED to a get", Call::get, "STORED\r\n"},
      {"a number to a get", Call::get, "42\r\n"},
      {"SERVER_ERROR to a get", Call::get, "SERVER_ERROR out of memory\r\n"},
      {"ERROR to a get", Call::get, "ERROR\r\n"},
      {"an extra END nobody asked for", Call::get, "END\r\nEND\r\n"},
      {"an extra value nobody asked for", Call::get, "END\r\nVALUE k 0 3\r\nabc\r\nEND\r\n"},
      {"a line that never ends", Call::get, std::string(20000, 'x')},
      {"binary garbage", Call::get, garbage(512, 1)},
      {"binary garbage with line ends", Call::get, garbage(300, 2) + "\r\n" + garbage(300, 3) + "\r\n"},
      {"NUL bytes", Call::get, std::string("VALUE k\0 0 3\r\nabc\r\nEND\r\n", 25)},
      {"close without a reply", Call::get, "", true},
      {"close in the middle of a value", Call::get, "VALUE k 0 100\r\nabc", true},
      {"a miss then a close", Call::get, "END\r\n", true},
      // get_multi and gets
      {"values out of request order", Call::get_multi, "VALUE k2 0 3\r\nabc\r\nVALUE k 0 3\r\nabc\r\nEND\r\n"},
      {"a value for an unasked key among good ones", Call::get_multi,
       "VALUE k 0 3\r\nabc\r\nVALUE zz 0 3\r\nabc\r\nEND\r\n"},
      {"no END", Call::get_multi, "VALUE k 0 3\r\nabc\r\n"},
      {"cas not a number", Call::gets, "VALUE k 0 3 abc\r\nabc\r\nEND\r\n"},
      {"cas out of range", Call::gets, "VALUE k 0 3 18446744073709551616\r\nabc\r\nEND\r\n"},
      // set
      {"two replies to a set", Call::set, "STORED\r\nSTORED\r\n"},
      {"a value to a set", Call::set, "VALUE s 0 1\r\nx\r\nEND\r\n"},
      {"unknown reply to a set", Call::set, "YES\r\n"},
      {"SERVER_ERROR to a set", Call::set, "SERVER_ERROR object too large for cache\r\n"},
      {"CLIENT_ERROR to a set", Call::set, "CLIENT_ERROR bad data chunk\r\n"},
      {"STORED without \\r\\n", Call::set, "STORED"},
      {"a set answered then closed", Call::set, "NOT_STORED\r\n", true},
      // incr
      {"not a number", Call::incr, "abc\r\n"},
      {"a number out of range", Call::incr, "99999999999999999999999\r\n"},
      {"a negative number", Call::incr, "-1\r\n"},
      {"two numbers", Call::incr, "12 34\r\n"},
      {"two replies to an incr", Call::incr, "5\r\n6\r\n"},
      {"STORED to an incr", Call::incr, "STORED\r\n"},
      {"non-numeric value error", Call::incr, "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"},
      {"a value to an incr", Call::incr, "VALUE n 0 1\r\n1\r\nEND\r\n"},
      // delete, touch, stats
      {"two replies to a delete", Call::del, "DELETED\r\nDELETED\r\n"},
      {"END to a delete", Call::del, "END\r\n"},
      {"STORED to a touch", Call::touch, "STORED\r\n"},
      {"STAT without a name", Call::stats, "STAT\r\nEND\r\n"},
      {"a value to stats", Call::stats, "VALUE k 0 1\r\nx\r\nEND\r\n"},
      {"stats without END", Call::stats, "STAT pid 1\r\n"},
  };
}

}  // namespace

TEST_CASE("a lying server: a miss, false or memcache::Error, never a wrong value, the next call works",
          "[integration][reliability]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Options options = fast_options();
  options.dead_retry = 0s;  // the next call goes to the same server
  options.max_connections_per_server = 2;
  memcache::Client mc({proxy.spec()}, options);
  auto truth = probe(server);
  REQUIRE(truth.set("k", value_for("k")));
  REQUIRE(truth.set("k2", value_for("k2")));
  REQUIRE(truth.set("n", 10));
  REQUIRE(truth.set("t", "t"));

  std::size_t injected = 0;
  for (const Lie& lie : lies()) {
    INFO(call_name(lie.call) << ": " << lie.name);
    const std::size_t open_before = proxy.open_connections(), accepted_before = proxy.accepted();
    proxy.reply_next(lie.reply, false, lie.then_close);
    const auto start = Clock::now();
    try {
      switch (lie.call) {
        case Call::get:
          CHECK(mc.get("k") == std::nullopt);
          break;
        case Call::get_multi: {
          // A server that lies gives nothing at all, not part of its lie.
          CHECK(mc.get_multi({"k", "k2"}).empty());
          break;
        }
        case Call::gets:
          CHECK_FALSE(mc.gets_cas("k").has_value());
          break;
        case Call::set:
          CHECK_FALSE(mc.set("s", "x"));
          break;
        case Call::incr: {
          const auto n = mc.incr("n");  // may throw: CLIENT_ERROR says the value is not a number
          CHECK(n == std::nullopt);
          break;
        }
        case Call::del:
          CHECK_FALSE(mc.del("d"));
          break;
        case Call::touch:
          CHECK_FALSE(mc.touch("t", 100));
          break;
        case Call::stats:
          CHECK(mc.get_stats().empty());
          break;
      }
    } catch (const memcache::Error& e) {
      INFO(e.what());
      // Only a reply that says so turns into an exception.
      CHECK(lie.call == Call::incr);
    }
    CHECK(ms_since(start) < timeout_ms + slack_ms);
    CHECK(proxy.faults_injected() == ++injected);
    if (lie.then_close) {
      // The proxy closes the lying connection after its reply, on its own
      // thread: wait until it has (a pooled connection the server closes in
      // the same instant it is reused is a race no client can win).
      const std::size_t after_close = open_before + (proxy.accepted() - accepted_before) - 1;
      const auto wait_start = Clock::now();
      while (proxy.open_connections() > after_close && ms_since(wait_start) < 5000) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }

    // The next calls are answered by the real server, each with its own reply.
    CHECK(mc.get("k") == OptStr(value_for("k")));
    CHECK(mc.get_multi({"k", "k2"}) ==
          std::unordered_map<std::string, std::string>{{"k", value_for("k")}, {"k2", value_for("k2")}});
    CHECK(mc.incr("n", 0) == std::optional<std::uint64_t>(10));
    CHECK(mc.get_stats().size() == 1);
    CHECK(proxy.open_connections() <= 2);
  }
  // Nothing the liar said reached the server.
  CHECK(truth.get("s") == std::nullopt);
  CHECK(truth.get("n") == OptStr("10"));
}

TEST_CASE("corrupted reply bytes outside the value data: a miss or an error, then all is well",
          "[integration][reliability]") {
  MemcachedServer server;
  FaultProxy proxy(server.port());
  memcache::Options options = fast_options();
  options.dead_retry = 0s;
  // The few corruptions that leave a reply incomplete wait this long; the
  // get after each must not fail just because a loaded machine stalled the
  // round trip past fast_options()' 200 ms (it did, once, under ctest -j2).
  options.socket_timeout = 1s;
  memcache::Client mc({proxy.spec()}, options);
  const std::string value = "0123456789";
  REQUIRE(succeeds_within_tries([&] { return mc.set("k", value); }));
  // "VALUE k 0 10\r\n0123456789\r\nEND\r\n": every byte but the data's (a
  // corrupted value byte is for checksums above this protocol to catch).
  const std::string reply = "VALUE k 0 10\r\n" + value + "\r\nEND\r\n";
  const std::size_t data_begin = 14, data_end = data_begin + value.size();
  for (std::size_t offset = 0; offset < reply.size(); ++offset) {
    if (offset >= data_begin && offset < data_end) continue;
    for (char with : {'X', ' ', '\n', '\0', '9'}) {
      if (reply[offset] == with) continue;
      INFO("byte " << offset << " ('" << reply[offset] << "') becomes " << int(with));
      proxy.corrupt_reply_at(offset, with);
      OptStr got;
      try {
        got = mc.get("k");
      } catch (const memcache::Error& e) {
        // Flags corrupted into "compressed" (9): undecodable.
        INFO(e.what());
        CHECK(offset == 8);
      }
      // Only the flags byte may change and still read: flags are data to a
      // byte-string get.
      if (got) CHECK(*got == value);
      proxy.pass_through();
      CHECK(mc.get("k") == OptStr(value));
    }
  }
}
