// The async client from C++20 coroutines: co_await each call; many
// coroutines share one pipelined connection per server.
//
//   coroutines [host:port]      (default 127.0.0.1:11211)
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <tuple>
#include <variant>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <memcache/async_client.hpp>

using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

// Errors as values instead of exceptions: auto [ec, value] = co_await ...
constexpr auto with_error = asio::experimental::as_tuple(use_awaitable);

awaitable<void> profile(memcache::AsyncClient& mc) {
  co_await mc.async_set("user_001", "alice", 300, use_awaitable);  // throws std::system_error on failure
  auto name = co_await mc.async_get("user_001", use_awaitable);
  std::cout << "user_001 -> " << name.value_or("(miss)") << "\n";

  co_await mc.async_set("visits", 0, use_awaitable);
  auto visits = co_await mc.async_incr("visits", 5, use_awaitable);
  std::cout << "visits -> " << (visits ? std::to_string(*visits) : "None") << "\n";

  auto [ec, missing] = co_await mc.async_get("not_there", with_error);
  std::cout << "not_there -> " << (ec ? ec.message() : missing ? *missing : "(miss)") << "\n";

  // A deadline of our own on one call: whichever finishes first wins and the
  // other is cancelled (the late reply, if any, is dropped).
  asio::steady_timer timer(co_await asio::this_coro::executor, 2s);
  auto first = co_await (mc.async_get("user_001", use_awaitable) || timer.async_wait(use_awaitable));
  if (first.index() == 0) {
    std::cout << "with a deadline -> " << std::get<0>(first).value_or("(miss)") << "\n";
  } else {
    std::cout << "with a deadline -> timed out\n";
  }
}

// One of many concurrent readers: each key's value names the key.
awaitable<void> reader(memcache::AsyncClient& mc, int id, int& wrong) {
  for (int i = 0; i < 100; ++i) {
    const std::string key = "page_" + std::to_string((id * 100 + i) % 500);
    auto v = co_await mc.async_get(key, use_awaitable);
    if (v != "content of " + key) ++wrong;
  }
}

awaitable<void> store_pages(memcache::AsyncClient& mc) {
  for (int i = 0; i < 500; ++i) {
    const std::string key = "page_" + std::to_string(i);
    co_await mc.async_set(key, "content of " + key, use_awaitable);
  }
}

int main(int argc, char** argv) {
  const std::string server = argc > 1 ? argv[1] : "127.0.0.1:11211";
  asio::io_context io;
  memcache::AsyncClient mc(io, {server});
  int status = 0;
  auto report = [&](std::exception_ptr e) {
    if (!e) return;
    status = 1;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      std::cout << "failed: " << x.what() << "\n";
    }
  };
  asio::co_spawn(io, profile(mc), report);
  io.run();
  io.restart();
  asio::co_spawn(io, store_pages(mc), report);
  io.run();

  // 64 coroutines at once; io.run() returns when the last has finished.
  int wrong = 0;
  for (int id = 0; id < 64; ++id) asio::co_spawn(io, reader(mc, id, wrong), report);
  io.restart();
  io.run();
  std::cout << "64 readers, 6400 gets, " << wrong << " wrong\n";
  return status != 0 || wrong != 0;
}
