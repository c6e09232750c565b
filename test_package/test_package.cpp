// Builds against the packaged library and uses it without a server: parsing
// a server list, checking keys, placing keys as python-memcached does, and
// the async client (its header includes Asio, which the package must bring).
#include <iostream>
#include <optional>
#include <string>
#include <system_error>

#include <asio/io_context.hpp>

#include <memcache/async_client.hpp>
#include <memcache/memcache.hpp>

int main() {
  memcache::Client mc({"127.0.0.1:11211", {"127.0.0.2:11211", 2}});
  try {
    mc.check_key("bad key");
    return 1;
  } catch (const memcache::KeyCharacterError&) {
  }
  try {
    memcache::Client broken({"host:notaport"});
    return 1;
  } catch (const memcache::ServerSpecError&) {
  }
  // A bad key fails before anything is sent: no server needed.
  asio::io_context io;
  memcache::AsyncClient amc(io, {"127.0.0.1:11211"});
  std::error_code got;
  amc.async_get("bad key", [&](std::error_code ec, std::optional<std::string>) { got = ec; });
  io.run();
  if (got != memcache::make_error_code(memcache::errc::bad_key)) return 1;
  std::cout << "memcache " << MEMCACHE_VERSION_MAJOR << "." << MEMCACHE_VERSION_MINOR << "." << MEMCACHE_VERSION_PATCH
            << " works\n";
  return 0;
}
