// Server strings, as python-memcached reads and prints them.

#include <catch2/catch.hpp>

#include <string>

#include <memcache/client.hpp>
#include <memcache/error.hpp>

#include "cluster/address.hpp"

using Catch::Matchers::Contains;
using memcache::detail::Address;
using memcache::detail::parse_address;

TEST_CASE("parse_address: host:port and host", "[unit]") {
  Address a = parse_address("127.0.0.1:11212");
  CHECK(a.family == Address::Family::inet);
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 11212);
  CHECK(a.to_string() == "inet:127.0.0.1:11212");
  CHECK(a.stats_name(1) == "127.0.0.1:11212 (1)");

  Address b = parse_address("cache.example.com");
  CHECK(b.family == Address::Family::inet);
  CHECK(b.host == "cache.example.com");
  CHECK(b.port == 11211);
  CHECK(b.to_string() == "inet:cache.example.com:11211");
  CHECK(b.stats_name(3) == "cache.example.com:11211 (3)");

  CHECK(parse_address("h:1").port == 1);
  CHECK(parse_address("h:65535").port == 65535);
}

TEST_CASE("parse_address: inet:host[:port]", "[unit]") {
  Address a = parse_address("inet:10.0.0.2:11300");
  CHECK(a.family == Address::Family::inet);
  CHECK(a.host == "10.0.0.2");
  CHECK(a.port == 11300);
  CHECK(a.to_string() == "inet:10.0.0.2:11300");
  Address b = parse_address("inet:localhost");
  CHECK(b.host == "localhost");
  CHECK(b.port == 11211);
}

TEST_CASE("parse_address: inet6:[addr][:port]", "[unit]") {
  Address a = parse_address("inet6:[::1]:11211");
  CHECK(a.family == Address::Family::inet6);
  CHECK(a.host == "::1");
  CHECK(a.port == 11211);
  CHECK(a.to_string() == "inet6:[::1]:11211");
  CHECK(a.stats_name(2) == "[::1]:11211 (2)");

  Address b = parse_address("inet6:[::1]");
  CHECK(b.family == Address::Family::inet6);
  CHECK(b.host == "::1");
  CHECK(b.port == 11211);

  Address c = parse_address("inet6:[fe80::1:2]:12000");
  CHECK(c.host == "fe80::1:2");
  CHECK(c.port == 12000);
  CHECK(c.to_string() == "inet6:[fe80::1:2]:12000");
}

TEST_CASE("parse_address: unix:/path", "[unit]") {
  Address a = parse_address("unix:/tmp/memcached.sock");
  CHECK(a.family == Address::Family::unix_socket);
  CHECK(a.path == "/tmp/memcached.sock");
  CHECK(a.to_string() == "unix:/tmp/memcached.sock");
  CHECK(a.stats_name(1) == "unix:/tmp/memcached.sock (1)");
  CHECK(parse_address("unix:relative/s").path == "relative/s");
}

TEST_CASE("parse_address: bad strings throw ServerSpecError naming them", "[unit]") {
  for (const char* bad : {"",
                          "unix:",
                          "host:abc",
                          "host:0",
                          "host:65536",
                          "host:99999999999",
                          "host:",
                          "host:-1",
                          "host:+80",
                          "a:b:c",
                          ":11211",
                          "inet:",
                          "inet:h:1:2",
                          "inet6:::1",
                          "inet6:[::1",
                          "[::1",
                          "inet6:[]:11211",
                          "inet6:[::1]x",
                          "inet6:[::1]:",
                          "inet6:[::1]:0",
                          "inet6:[[::1]]"}) {
    INFO("\"" << bad << "\"");
    CHECK_THROWS_AS(parse_address(bad), memcache::ServerSpecError);
    CHECK_THROWS_AS(parse_address(bad), memcache::Error);
    CHECK_THROWS_WITH(parse_address(bad), Contains(std::string("\"") + bad + "\""));
  }
  CHECK_THROWS_WITH(parse_address("host:65536"), Contains("65536") && Contains("range"));
  CHECK_THROWS_WITH(parse_address("host:0"), Contains("out of range"));
  CHECK_THROWS_WITH(parse_address("host:abc"), Contains("not a number"));
  CHECK_THROWS_WITH(parse_address("inet6:::1"), Contains("brackets"));
}

TEST_CASE("Client: a bad server string throws ServerSpecError at construction", "[unit]") {
  CHECK_THROWS_AS(memcache::Client({"a:b:c"}), memcache::ServerSpecError);
  CHECK_THROWS_WITH(memcache::Client({"a:b:c"}), Contains("a:b:c"));
  CHECK_THROWS_WITH(memcache::Client({"127.0.0.1:11211", {"10.0.0.2:port", 3}}), Contains("10.0.0.2:port"));
  CHECK_THROWS_WITH(memcache::Client({"127.0.0.1:11211", "unix:"}), Contains("unix:"));

  // A good list builds without any server running.
  memcache::Client mc({"127.0.0.1:1", {"inet6:[::1]:2", 2}, "unix:/nonexistent/socket"});
  CHECK(mc.options().server_max_key_length == 250);
  CHECK_THROWS_AS(mc.set_servers({"127.0.0.1:11211", "inet6:::1"}), memcache::ServerSpecError);
}
