#ifndef MEMCACHE_TESTS_ASYNC_ASYNC_TEST_HPP
#define MEMCACHE_TESTS_ASYNC_ASYNC_TEST_HPP

// Helpers for the async tests: an io_context run with a bound (a hung
// operation fails the test instead of hanging it), coroutines whose
// exceptions reach the test, and the reliability suite's helpers (short
// timeouts, values that name their key, the fault proxy).

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <memcache/async_client.hpp>

#include "reliability.hpp"

namespace atest {

using namespace rtest;
using asio::awaitable;
using memcache::errc;

/// `co_await mc.async_get(key, use_tuple)` gives `std::tuple<std::error_code, R>`.
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// Runs `io` until it has no more work, at most `limit`; fails the test if
/// work is left then.
inline void run(asio::io_context& io, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  io.restart();
  const auto start = Clock::now();
  io.run_for(limit);
  INFO("io_context ran " << ms_since(start) << " ms");
  REQUIRE(io.stopped());
}

/// Runs every handler that is ready, without waiting: calls started before
/// are encoded and written, and what is left waits on the servers and on the
/// deadlines the options set. A time measured from here leaves out the CPU
/// work (encoding, copying) that a loaded machine or a sanitizer makes slow.
inline void settle(asio::io_context& io) {
  io.restart();
  while (io.poll() > 0) {
  }
}

/// Starts `coro` on `io`; an exception it throws is rethrown by rethrow().
class Spawner {
 public:
  explicit Spawner(asio::io_context& io) : io_(io) {}

  template <class Awaitable>
  void spawn(Awaitable coro) {
    asio::co_spawn(io_, std::move(coro), [this](std::exception_ptr e) {
      ++finished_;
      if (e && !error_) error_ = e;
    });
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }
  std::size_t finished() const { return finished_; }

 private:
  asio::io_context& io_;
  std::exception_ptr error_;
  std::size_t finished_ = 0;
};

inline std::error_code code(errc e) { return memcache::make_error_code(e); }

/// How a batch of gets whose values name their keys (value_for) ended.
struct Tally {
  std::size_t right = 0, miss = 0, wrong = 0;
  std::map<std::error_code, std::size_t> errors;

  void record(std::error_code ec, const std::string& key, const std::optional<std::string>& v) {
    if (ec) {
      ++errors[ec];
    } else if (!v) {
      ++miss;
    } else if (*v == value_for(key)) {
      ++right;
    } else {
      ++wrong;
    }
  }
  std::size_t completed() const {
    std::size_t n = right + miss + wrong;
    for (const auto& [ec, count] : errors) n += count;
    return n;
  }
};

/// Starts an async_get of each key, its outcome recorded in `tally`.
inline void get_all(memcache::AsyncClient& mc, const std::vector<std::string>& keys, Tally& tally) {
  for (const auto& k : keys) {
    mc.async_get(k, [&tally, k](std::error_code ec, std::optional<std::string> v) { tally.record(ec, k, v); });
  }
}

}  // namespace atest

#endif  // MEMCACHE_TESTS_ASYNC_ASYNC_TEST_HPP
