#include <catch2/catch.hpp>

#include <memcache/memcache.hpp>

#include "memcached_server.hpp"

TEST_CASE("set then get over tcp and unix socket", "[integration]") {
  auto transport = GENERATE(memcache::test::MemcachedServer::Transport::tcp,
                            memcache::test::MemcachedServer::Transport::unix_socket);
  memcache::test::MemcachedServer server(transport);
  memcache::Client mc({server.spec()});
  CHECK(mc.set("k", "v"));
  CHECK(mc.get("k") == std::optional<std::string>("v"));
}
