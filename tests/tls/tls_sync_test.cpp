// The sync client over TLS against real `memcached -Z`: verified by IP and by
// name, mutual TLS, what must be refused (and how fast), and the reliability
// cases (stall, kill) that must behave as over plain TCP.

#include <map>
#include <thread>

#include "tls_test.hpp"

using namespace tlstest;

namespace {

// Every call kind that matters, end to end.
void exercise(memcache::Client& mc) {
  REQUIRE(mc.set("k", "v"));
  CHECK(mc.get("k") == OptStr("v"));
  CHECK(mc.add("k", "other") == false);
  CHECK(mc.append("k", "w"));
  CHECK(mc.get("k") == OptStr("vw"));
  CHECK(mc.set("n", 41));
  CHECK(mc.incr("n") == std::optional<std::uint64_t>(42));
  std::map<std::string, std::string> batch;
  for (int i = 0; i < 300; ++i) batch["key" + std::to_string(i)] = value_for("key" + std::to_string(i));
  CHECK(mc.set_multi(batch).empty());
  std::vector<std::string> keys;
  for (const auto& kv : batch) keys.push_back(kv.first);
  const auto got = mc.get_multi(keys);
  CHECK(got.size() == 300);
  for (const auto& [k, v] : got) CHECK(v == value_for(k));
  // A value far larger than one TLS record (16 KiB).
  const std::string big(700 * 1024, 'x');
  CHECK(mc.set("big", big));
  CHECK(mc.get("big") == OptStr(big));
  CHECK(mc.del("k"));
  CHECK(mc.get("k") == std::nullopt);
}

}  // namespace

TEST_CASE("sync over TLS: verified by IP address, every call works", "[tls]") {
  auto server = tls_server();
  memcache::Client mc({server->spec()}, tls_options(steady_options()));
  exercise(mc);
}

TEST_CASE("sync over TLS: verified by host name, and by server_name", "[tls]") {
  auto server = tls_server();
  {
    memcache::Client mc({localhost_spec(*server)}, tls_options(steady_options()));
    exercise(mc);
  }
  // An address in the server string, the certificate's name checked instead.
  memcache::Options o = tls_options(steady_options());
  o.tls.server_name = "localhost";
  memcache::Client mc({server->spec()}, o);
  CHECK(mc.set("x", "y"));
  CHECK(mc.get("x") == OptStr("y"));
}

TEST_CASE("sync over TLS: pooled connections keep their session, no handshake per get", "[tls]") {
  auto server = tls_server();
  memcache::Client mc({server->spec()}, tls_options(steady_options()));
  REQUIRE(mc.set("k", "v"));
  const auto connections = tls_stat(*server, "total_connections");
  for (int i = 0; i < 200; ++i) REQUIRE(mc.get("k") == OptStr("v"));
  // The probe's own connection is the only new one.
  CHECK(tls_stat(*server, "total_connections") == connections + 1);
}

TEST_CASE("sync over TLS: a reconnect resumes the server's session", "[tls]") {
  auto server = tls_server();
  memcache::Client mc({server->spec()}, tls_options(steady_options()));
  REQUIRE(mc.set("k", "v"));
  // memcached counts the sessions it issues: two tickets after a full TLS 1.3
  // handshake, one after a resumed one. Each probe makes a full one.
  const auto before = tls_stat(*server, "ssl_new_sessions");
  constexpr std::uint64_t reconnects = 20;
  for (std::uint64_t i = 0; i < reconnects; ++i) {
    mc.disconnect_all();
    REQUIRE(mc.get("k") == OptStr("v"));
  }
  const auto issued = tls_stat(*server, "ssl_new_sessions") - before;
  INFO("sessions issued: " << issued);
  CHECK(issued <= reconnects + 2 + reconnects / 4);  // 42 without resumption
}

TEST_CASE("sync over TLS: an untrusted CA, a wrong name, a plain server fail fast and say TLS", "[tls]") {
  auto tls = tls_server();
  MemcachedServer plain;
  struct Case {
    const char* name;
    std::string spec;
    std::string ca;
    std::string server_name;
    const char* says;
  };
  const std::vector<Case> cases{
      {"untrusted CA", tls->spec(), certs().other_ca(), "", "certificate verify failed"},
      {"wrong name", tls->spec(), certs().ca(), "cache.example.com", "hostname mismatch"},
      {"wrong address", tls->spec(), certs().ca(), "10.1.2.3", "IP address mismatch"},
      {"plain server", plain.spec(), certs().ca(), "", "TLS handshake"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    LogCapture log;
    memcache::Options o = logged(tls_options(), log);
    o.tls.ca_file = c.ca;
    o.tls.server_name = c.server_name;
    memcache::Client mc({c.spec}, o);
    const auto start = Clock::now();
    CHECK(mc.get("k") == std::nullopt);
    CHECK_FALSE(mc.set("k", "v"));  // marked dead: not even tried
    CHECK(ms_since(start) < timeout_ms + slack_ms);
    INFO(all(log));
    CHECK(log.contains("TLS handshake"));
    CHECK(log.contains(c.says));
    CHECK(log.contains("Marking dead"));
  }
}

TEST_CASE("sync over TLS: a plain client to a TLS server fails in time", "[tls]") {
  auto tls = tls_server();
  LogCapture log;
  memcache::Client mc({tls->spec()}, logged(fast_options(), log));
  const auto start = Clock::now();
  CHECK(mc.get("k") == std::nullopt);
  CHECK_FALSE(mc.set("k", "v"));
  CHECK(ms_since(start) < 2 * timeout_ms + slack_ms);
  CHECK(log.contains("Marking dead"));
}

TEST_CASE("sync over TLS: a server that requires client certificates", "[tls]") {
  auto server = tls_server(2);
  SECTION("without one, the call fails and says TLS") {
    LogCapture log;
    memcache::Client mc({server->spec()}, logged(tls_options(), log));
    const auto start = Clock::now();
    CHECK(mc.get("k") == std::nullopt);
    CHECK(ms_since(start) < timeout_ms + slack_ms);
    INFO(all(log));
    CHECK(log.contains("TLS"));
    CHECK(log.contains("Marking dead"));
  }
  SECTION("with one from another CA, refused") {
    LogCapture log;
    memcache::Options o = logged(tls_options(), log);
    o.tls.cert_file = certs().other_client_cert();
    o.tls.key_file = certs().other_client_key();
    memcache::Client mc({server->spec()}, o);
    CHECK(mc.get("k") == std::nullopt);
    INFO(all(log));
    CHECK(log.contains("TLS"));
  }
  SECTION("with one the server trusts, every call works") {
    memcache::Options o = tls_options(steady_options());
    o.tls.cert_file = certs().client_cert();
    o.tls.key_file = certs().client_key();
    memcache::Client mc({server->spec()}, o);
    exercise(mc);
  }
}

TEST_CASE("sync over TLS: bad configuration is refused at construction", "[tls]") {
  memcache::Options o = tls_options();
  o.tls.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS_WITH(memcache::Client({"127.0.0.1:11211"}, o),
                    Catch::Contains("ca_file") && Catch::Contains("/nonexistent/ca.pem"));
  o = tls_options();
  o.tls.cert_file = certs().client_cert();
  CHECK_THROWS_AS(memcache::Client({"127.0.0.1:11211"}, o), memcache::Error);
  o.tls.key_file = certs().other_client_key();
  CHECK_THROWS_WITH(memcache::Client({"127.0.0.1:11211"}, o), Catch::Contains("key_file"));
  CHECK_THROWS_AS(memcache::Client({"unix:/tmp/memcached.sock"}, tls_options()), memcache::ServerSpecError);
}

TEST_CASE("sync over TLS: noreply, pipelined get_multi and threads share connections without cross-talk", "[tls]") {
  auto server = tls_server();
  memcache::Options o = tls_options(steady_options());
  o.max_connections_per_server = 4;
  memcache::Client mc({server->spec()}, o);
  std::map<std::string, std::string> batch;
  for (int i = 0; i < 500; ++i) batch["key" + std::to_string(i)] = value_for("key" + std::to_string(i));
  CHECK(mc.set_multi(batch, 0, "", 0, /*noreply=*/true).empty());
  // A noreply request memcached answers with an error: later replies stay in step.
  CHECK(mc.set("n", "not a number"));
  mc.incr("n", 1, true);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string k = "key" + std::to_string((i * 7 + t) % 500);
        if (mc.get(k) != OptStr(value_for(k))) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(mc.get("n") == OptStr("not a number"));
}

TEST_CASE("sync over TLS: a stalled server fails calls within socket_timeout, then works", "[tls]") {
  auto server = tls_server();
  memcache::Options o = tls_options();
  o.dead_retry = 0s;
  memcache::Client mc({server->spec()}, o);
  REQUIRE(succeeds_within_tries([&] { return mc.set("k", "v"); }));
  server->pause();
  const auto start = Clock::now();
  CHECK(mc.get("k") == std::nullopt);
  CHECK(ms_since(start) < timeout_ms + slack_ms);
  const auto again = Clock::now();
  CHECK_FALSE(mc.set("w", "w"));  // a new connection: its handshake is bounded too
  CHECK(ms_since(again) < timeout_ms + slack_ms);
  server->resume();
  std::this_thread::sleep_for(100ms);
  CHECK(mc.set("k", "after"));
  CHECK(mc.get("k") == OptStr("after"));
}

TEST_CASE("sync over TLS: a killed server fails fast, and restarted it is used again", "[tls]") {
  auto server = tls_server();
  memcache::Options o = tls_options();
  o.dead_retry = 0s;
  memcache::Client mc({server->spec()}, o);
  REQUIRE(succeeds_within_tries([&] { return mc.set("k", "v"); }));
  server->kill();
  const auto start = Clock::now();
  CHECK(mc.get("k") == std::nullopt);
  CHECK(ms_since(start) < timeout_ms + slack_ms);
  server->restart();
  CHECK(mc.get("k") == std::nullopt);  // a fresh, empty server
  CHECK(mc.set("k", "again"));
  CHECK(mc.get("k") == OptStr("again"));
}
