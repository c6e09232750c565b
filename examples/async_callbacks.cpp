// The async client with plain callbacks: calls are started, then the
// io_context runs them; concurrent calls to a server share one pipelined
// connection.
//
//   async_callbacks [host:port]      (default 127.0.0.1:11211)
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <asio/io_context.hpp>

#include <memcache/async_client.hpp>

int main(int argc, char** argv) {
  const std::string server = argc > 1 ? argv[1] : "127.0.0.1:11211";
  asio::io_context io;
  memcache::AsyncClient mc(io, {server});

  // A chain: each step starts the next from its callback.
  mc.async_set("user_001", "alice", 300, [&](std::error_code ec, bool stored) {
    if (ec) {
      std::cout << "set failed: " << ec.message() << "\n";
      return;
    }
    std::cout << "set user_001 -> " << (stored ? "stored" : "not stored") << "\n";
    mc.async_get("user_001", [](std::error_code ec2, std::optional<std::string> name) {
      if (ec2) {
        std::cout << "get failed: " << ec2.message() << "\n";
      } else {
        std::cout << "get user_001 -> " << name.value_or("(miss)") << "\n";
      }
    });
  });
  io.run();  // returns once every call has completed

  // Many at once: written back to back, replies matched in order.
  int stored = 0;
  for (int i = 0; i < 100; ++i) {
    mc.async_set("item_" + std::to_string(i), i * i, [&](std::error_code ec, bool ok) { stored += !ec && ok; });
  }
  io.restart();
  io.run();
  std::cout << "stored " << stored << " items\n";

  std::int64_t sum = 0;
  int found = 0;
  for (int i = 0; i < 100; ++i) {
    mc.async_get<std::int64_t>("item_" + std::to_string(i), [&](std::error_code ec, std::optional<std::int64_t> v) {
      if (!ec && v) {
        ++found;
        sum += *v;
      }
    });
  }
  mc.async_incr("visits", [](std::error_code ec, std::optional<std::uint64_t> n) {
    // python-memcached's incr of a missing key: None.
    std::cout << "incr visits -> " << (ec ? ec.message() : n ? std::to_string(*n) : "None") << "\n";
  });
  std::vector<std::string> keys = {"item_3", "item_4", "nobody"};
  mc.async_get_multi(keys, [](std::error_code ec, std::unordered_map<std::string, std::string> values) {
    std::cout << "get_multi -> " << (ec ? ec.message() : std::to_string(values.size()) + " of 3 found") << "\n";
  });
  io.restart();
  io.run();
  std::cout << "read " << found << " items, sum " << sum << "\n";

  // Bad input fails the call with an error code, as the sync call throws.
  mc.async_get("no spaces allowed", [](std::error_code ec, std::optional<std::string>) {
    std::cout << "get 'no spaces allowed' -> " << ec.message() << "\n";
  });
  io.restart();
  io.run();
}
