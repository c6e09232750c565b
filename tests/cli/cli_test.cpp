#include <catch2/catch.hpp>

#include <memcache/memcache.hpp>

#include "memcached_server.hpp"
#include "process.hpp"
#include "test_certs.hpp"

using memcache::test::MemcachedServer;
using memcache::test::ProcessResult;
using memcache::test::run_process;

namespace {

struct Cli {
  std::string servers;

  ProcessResult operator()(std::vector<std::string> args, const std::string& input = {}) const {
    args.insert(args.begin(), MEMCACHE_CLI_PATH);
    return run_process(args, input, {{"MEMCACHE_SERVERS", servers}});
  }
};

}  // namespace

TEST_CASE("memcache-cli stores and reads values with the documented exit codes", "[integration][cli]") {
  MemcachedServer server;
  Cli cli{server.spec()};
  memcache::Client mc({server.spec()});

  auto set = cli({"set", "greeting", "hello"});
  CHECK(set.exit_code == 0);
  CHECK(set.out == "STORED\n");
  CHECK(mc.get("greeting") == std::optional<std::string>("hello"));

  auto get = cli({"get", "greeting"});
  CHECK(get.exit_code == 0);
  CHECK(get.out == "hello\n");

  auto miss = cli({"get", "absent"});
  CHECK(miss.exit_code == 1);
  CHECK(miss.out.empty());
  CHECK(miss.err.empty());

  auto from_stdin = cli({"set", "piped"}, "line1\nline2");
  CHECK(from_stdin.exit_code == 0);
  CHECK(mc.get("piped") == std::optional<std::string>("line1\nline2"));

  CHECK(cli({"add", "greeting", "x"}).exit_code == 1);
  CHECK(cli({"add", "fresh", "x"}).exit_code == 0);
  CHECK(cli({"replace", "nothing", "x"}).exit_code == 1);
  CHECK(cli({"append", "greeting", "!"}).exit_code == 0);
  CHECK(cli({"prepend", "greeting", ">"}).exit_code == 0);
  CHECK(mc.get("greeting") == std::optional<std::string>(">hello!"));

  auto del = cli({"delete", "greeting"});
  CHECK(del.exit_code == 0);
  CHECK(del.out == "DELETED\n");
  CHECK(cli({"delete", "greeting"}).exit_code == 1);
}

TEST_CASE("memcache-cli counters, cas, touch, ttl and json", "[integration][cli]") {
  MemcachedServer server;
  Cli cli{server.spec()};
  memcache::Client mc({server.spec()});

  REQUIRE(mc.set("n", 10));
  CHECK(cli({"incr", "n", "5"}).out == "15\n");
  CHECK(cli({"decr", "n"}).out == "14\n");
  CHECK(cli({"decr", "n", "100"}).out == "0\n");
  auto missing = cli({"incr", "nothing"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.out == "NOT_FOUND\n");
  REQUIRE(mc.set("word", "abc"));
  auto not_number = cli({"incr", "word"});
  CHECK(not_number.exit_code == 2);
  CHECK(not_number.err.find("non-numeric") != std::string::npos);

  auto gets = cli({"--json", "gets", "word"});
  REQUIRE(gets.exit_code == 0);
  auto cas_pos = gets.out.find("\"cas\":");
  REQUIRE(cas_pos != std::string::npos);
  const std::string unique = gets.out.substr(cas_pos + 6, gets.out.find('}', cas_pos) - cas_pos - 6);
  CHECK(gets.out == "{\"key\":\"word\",\"hit\":true,\"value\":\"abc\",\"flags\":0,\"cas\":" + unique + "}\n");
  CHECK(cli({"cas", "word", "new", "--unique", unique}).exit_code == 0);
  CHECK(cli({"cas", "word", "newer", "--unique", unique}).exit_code == 1);  // value changed since
  CHECK(mc.get("word") == std::optional<std::string>("new"));
  CHECK(cli({"cas", "word", "x"}).exit_code == 2);  // --unique missing

  CHECK(cli({"set", "short", "v", "--ttl", "1"}).exit_code == 0);
  CHECK(cli({"touch", "word", "--ttl", "100"}).out == "TOUCHED\n");
  CHECK(cli({"touch", "absent", "--ttl", "100"}).exit_code == 1);

  auto json_get = cli({"get", "word", "--json"});
  CHECK(json_get.out == "{\"key\":\"word\",\"hit\":true,\"value\":\"new\",\"flags\":0}\n");
  CHECK(cli({"get", "absent", "--json"}).out == "{\"key\":\"absent\",\"hit\":false}\n");
}

TEST_CASE("memcache-cli get prints a Python value (a pickle) as JSON", "[integration][cli][python]") {
  MemcachedServer server;
  Cli cli{server.spec()};
  memcache::Client mc({server.spec()});
  const auto user = memcache::PyValue::dict(
      {{"name", "alice"}, {"tags", memcache::PyValue::tuple({"a", 1})}, {"score", 2.5}, {"nick", nullptr}});
  REQUIRE(mc.set("user", user));                                // protocol 0, as python-memcached
  REQUIRE(mc.set("user5", memcache::Pickled{user, 5}, 0, 10));  // protocol 5, compressed
  const std::string json = R"({"name":"alice","tags":["a",1],"score":2.5,"nick":null})";
  CHECK(cli({"get", "user"}).out == json + "\n");
  CHECK(cli({"get", "user5"}).out == json + "\n");
  CHECK(cli({"get", "user", "--json"}).out == "{\"key\":\"user\",\"hit\":true,\"value\":" + json + ",\"flags\":1}\n");
  // What JSON cannot hold is shown as Python's repr.
  REQUIRE(mc.set("blob", memcache::PyValue::list({memcache::PyValue::bytes("x"), memcache::PyValue::set({1})})));
  CHECK(cli({"get", "blob"}).out == "[b'x', {1}]\n");
  CHECK(cli({"get", "blob", "--json"}).out ==
        "{\"key\":\"blob\",\"hit\":true,\"value\":\"[b'x', {1}]\",\"flags\":1}\n");
}

TEST_CASE("memcache-cli stats, version and flush", "[integration][cli]") {
  MemcachedServer server;
  Cli cli{server.spec()};
  memcache::Client mc({server.spec()});
  REQUIRE(mc.set("k", "v"));

  auto version = cli({"version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind(server.spec() + " (1) 1.", 0) == 0);

  auto stats = cli({"stats"});
  CHECK(stats.exit_code == 0);
  CHECK(stats.out.find("  pid " + std::to_string(server.pid()) + "\n") != std::string::npos);
  auto json = cli({"--json", "stats"});
  CHECK(json.out.find("\"pid\":\"" + std::to_string(server.pid()) + "\"") != std::string::npos);

  auto flush = cli({"flush"});
  CHECK(flush.exit_code == 0);
  CHECK(flush.out == "OK\n");
  CHECK_FALSE(mc.get("k"));

  // One server of two unreachable: the other is flushed, and the command says
  // the cache was not (exit code 2).
  REQUIRE(mc.set("k", "v"));
  auto partial = Cli{server.spec() + ",127.0.0.1:1"}({"flush"});
  CHECK(partial.exit_code == 2);
  CHECK(partial.out == "NOT FLUSHED: a server did not confirm\n");
  CHECK_FALSE(mc.get("k"));
  CHECK(Cli{server.spec() + ",127.0.0.1:1"}({"--json", "flush"}).out == "{\"command\":\"flush\",\"ok\":false}\n");
}

TEST_CASE("memcache-cli errors: usage, bad keys, unreachable servers", "[integration][cli]") {
  Cli nowhere{"127.0.0.1:1"};
  auto down = nowhere({"get", "k"});
  CHECK(down.exit_code == 2);
  CHECK(down.err == "memcache-cli: no memcached server reachable at 127.0.0.1:1\n");

  MemcachedServer server;
  Cli cli{server.spec()};
  auto bad_key = cli({"set", "bad key", "v"});
  CHECK(bad_key.exit_code == 2);
  CHECK(bad_key.err.find("space or control character") != std::string::npos);
  CHECK(cli({"frobnicate"}).err == "memcache-cli: unknown command \"frobnicate\"\n");
  CHECK(cli({"get"}).err == "memcache-cli: get needs a KEY\n");
  CHECK(cli({"--ttl", "soon", "get", "k"}).exit_code == 2);
  CHECK(cli({}).exit_code == 2);
  auto bad_server = run_process({MEMCACHE_CLI_PATH, "--servers", "host:notaport", "get", "k"});
  CHECK(bad_server.exit_code == 2);
  CHECK(bad_server.err.find("host:notaport") != std::string::npos);

  // --servers wins over MEMCACHE_SERVERS.
  memcache::Client mc({server.spec()});
  REQUIRE(mc.set("here", "yes"));
  CHECK(nowhere({"--servers", server.spec(), "get", "here"}).out == "yes\n");
}

TEST_CASE("memcache-cli --help describes every command", "[cli]") {
  auto overview = run_process({MEMCACHE_CLI_PATH, "--help"});
  CHECK(overview.exit_code == 0);
  for (const char* command : {"get", "gets", "set", "add", "replace", "append", "prepend", "cas", "incr", "decr",
                              "delete", "touch", "stats", "flush", "version"}) {
    INFO(command);
    CHECK(overview.out.find(std::string("\n  ") + command + " ") != std::string::npos);
    auto one = run_process({MEMCACHE_CLI_PATH, command, "--help"});
    CHECK(one.exit_code == 0);
    CHECK(one.out.rfind(std::string("usage: memcache-cli [options] ") + command, 0) == 0);
  }
}

TEST_CASE("memcache-cli --tls: verified, mutual, and refused with the reason", "[integration][cli][tls]") {
  const memcache::test::TestCerts certs;
  MemcachedServer server(MemcachedServer::Transport::tcp, certs.server_args(2));
  Cli cli{server.spec()};
  const std::vector<std::string> mutual{"--tls",     "--tls-ca",        certs.ca(), "--tls-cert", certs.client_cert(),
                                        "--tls-key", certs.client_key()};
  auto with = [](std::vector<std::string> tls, std::vector<std::string> command) {
    tls.insert(tls.end(), command.begin(), command.end());
    return tls;
  };

  auto set = cli(with(mutual, {"set", "greeting", "over tls"}));
  CHECK(set.exit_code == 0);
  CHECK(set.out == "STORED\n");
  auto get = cli(with(mutual, {"get", "greeting"}));
  CHECK(get.exit_code == 0);
  CHECK(get.out == "over tls\n");

  auto untrusted = cli(with({"--tls", "--tls-ca", certs.other_ca()}, {"get", "greeting"}));
  CHECK(untrusted.exit_code == 2);
  CHECK_THAT(untrusted.err,
             Catch::Contains("no memcached server reachable") && Catch::Contains("certificate verify failed"));

  CHECK(cli({"--tls-ca", certs.ca(), "get", "greeting"}).exit_code == 2);  // --tls-ca without --tls
}
