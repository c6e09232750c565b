// memcache_async_bench: the async client's pipelining against its floor and
// against the sync client, on one memcached (started here, on a free port).
//
//   memcache_async_bench [--quick] [--runs N] [--coroutines N] [--protocol text|meta]
//
// Per run, interleaved: a raw socket keeping N gets in flight on one
// connection (the floor), N coroutines on one io_context (one thread) each
// awaiting AsyncClient::async_get in a loop, and sync Client::get in a loop.
// Prints the median rates and the per-run ratios' medians.
#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <memcache/async_client.hpp>
#include <memcache/memcache.hpp>

#include "cluster.hpp"
#include "pipelined_socket.hpp"
#include "stats.hpp"

namespace {

using namespace memcache::bench;
using Clock = std::chrono::steady_clock;

constexpr double floor_target = 0.8;  // async / pipelined socket, at least
constexpr double sync_target = 8.0;   // async / sync sequential, at least

struct Arguments {
  bool quick = false;
  std::size_t runs = 5;
  std::size_t coroutines = 64;
  memcache::Options options;  // --protocol meta: the clients' wire protocol
};

Arguments parse(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::invalid_argument("missing value after " + std::string(arg));
      return std::stoul(argv[++i]);
    };
    if (arg == "--quick") {
      args.quick = true;
    } else if (arg == "--runs") {
      args.runs = value();
    } else if (arg == "--coroutines") {
      args.coroutines = value();
    } else if (arg == "--protocol" && i + 1 < argc &&
               (argv[i + 1] == std::string_view("meta") || argv[i + 1] == std::string_view("text"))) {
      args.options.protocol =
          argv[++i] == std::string_view("meta") ? memcache::Protocol::meta : memcache::Protocol::text;
    } else {
      throw std::invalid_argument(
          "usage: memcache_async_bench [--quick] [--runs N] [--coroutines N] [--protocol text|meta]");
    }
  }
  if (args.quick) args.runs = 1;
  if (args.runs == 0 || args.coroutines == 0) throw std::invalid_argument("--runs and --coroutines must be > 0");
  return args;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

[[noreturn]] void wrong_value(const std::string& key) { throw std::runtime_error("wrong value for " + key); }

asio::awaitable<void> get_loop(memcache::AsyncClient& mc, const std::vector<std::string>& keys,
                               const std::string& expected, std::size_t first, std::size_t gets) {
  for (std::size_t i = 0; i < gets; ++i) {
    const std::string& key = keys[(first + i) % keys.size()];
    if (co_await mc.async_get(key, asio::use_awaitable) != expected) wrong_value(key);
  }
}

double async_rate(const std::string& spec, const std::vector<std::string>& keys, const std::string& expected,
                  std::size_t gets, std::size_t coroutines, const memcache::Options& options) {
  asio::io_context io(1);
  memcache::AsyncClient mc(io, {spec}, options);
  // Connect outside the timed part, as the other clients do.
  asio::co_spawn(io, get_loop(mc, keys, expected, 0, 1), asio::detached);
  io.run();
  std::exception_ptr failure;
  const auto start = Clock::now();
  for (std::size_t c = 0; c < coroutines; ++c) {
    asio::co_spawn(io, get_loop(mc, keys, expected, c, gets / coroutines), [&](std::exception_ptr e) {
      if (e) failure = e;
    });
  }
  io.restart();
  io.run();
  const double took = seconds_since(start);
  if (failure) std::rethrow_exception(failure);
  return static_cast<double>(gets / coroutines * coroutines) / took;
}

double sync_rate(const std::string& spec, const std::vector<std::string>& keys, const std::string& expected,
                 std::size_t gets, const memcache::Options& options) {
  memcache::Client mc({spec}, options);
  if (mc.get(keys[0]) != expected) wrong_value(keys[0]);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < gets; ++i) {
    if (mc.get(keys[i % keys.size()]) != expected) wrong_value(keys[i % keys.size()]);
  }
  return static_cast<double>(gets) / seconds_since(start);
}

const char* yes_no(bool met) { return met ? "yes" : "**no**"; }

}  // namespace

int main(int argc, char** argv) try {
  const Arguments args = parse(argc, argv);
  Cluster cluster(1);
  const std::string spec = cluster.specs(1)[0];
  const std::string value(100, 'v');
  std::vector<std::string> keys;
  {
    memcache::Client mc({spec});
    for (int i = 0; i < 100; ++i) {
      keys.push_back("bench:async:" + std::to_string(i));
      if (!mc.set(keys.back(), value)) throw std::runtime_error("could not store " + keys.back());
    }
  }
  const std::size_t pipelined_gets = args.quick ? 2000 : 200000;
  const std::size_t sync_gets = args.quick ? 200 : 20000;

  Sample floor, async, sync;
  for (std::size_t run = 0; run < args.runs; ++run) {
    floor.rates.push_back(pipelined_socket_rate(spec, keys, pipelined_gets, args.coroutines));
    async.rates.push_back(async_rate(spec, keys, value, pipelined_gets, args.coroutines, args.options));
    sync.rates.push_back(sync_rate(spec, keys, value, sync_gets, args.options));
  }
  const double vs_floor = paired_ratio(async, floor);
  const double vs_sync = paired_ratio(async, sync);
  fmt::print(
      "{} coroutines on one io_context vs a raw socket with {} gets in flight and the sync client; "
      "100 B values, 1 server, median of {} interleaved run(s)\n\n",
      args.coroutines, args.coroutines, args.runs);
  fmt::print("| client | gets/run | gets/s | spread |\n|---|---:|---:|---:|\n");
  fmt::print("| raw pipelined socket (floor) | {} | {} | {:.0f}% |\n", pipelined_gets, format_rate(floor.median()),
             100 * floor.spread());
  fmt::print("| AsyncClient, {} coroutines | {} | {} | {:.0f}% |\n", args.coroutines, pipelined_gets,
             format_rate(async.median()), 100 * async.spread());
  fmt::print("| Client, sequential | {} | {} | {:.0f}% |\n\n", sync_gets, format_rate(sync.median()),
             100 * sync.spread());
  fmt::print("| ratio | value | target | met |\n|---|---:|---|---|\n");
  fmt::print("| async / raw pipelined socket | {:.2f} | ≥ {:.1f} | {} |\n", vs_floor, floor_target,
             yes_no(vs_floor >= floor_target));
  fmt::print("| async / sync sequential | {:.1f} | ≥ {:.0f} | {} |\n", vs_sync, sync_target,
             yes_no(vs_sync >= sync_target));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "memcache_async_bench: %s\n", e.what());
  return 1;
}
