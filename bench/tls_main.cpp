// memcache_tls_bench: what TLS costs, on one memcached that listens both
// with TLS (-Z) and without (a notls: listener), started here with
// certificates made by the openssl CLI.
//
//   memcache_tls_bench [--quick] [--runs N]
//
// Per run, interleaved, over plain TCP and over TLS: sequential Client::get,
// Client::get_multi of 100 keys, and AsyncClient::async_get with 64 chains
// in flight on one pipelined connection; then the cost of a connection (a
// fresh client's first get: TCP connect, plus its OpenSSL context and a full
// TLS handshake), of a reconnect (resuming the TLS session), of building a
// TLS client's context alone, and pymemcache 3.5 with and
// without tls_context on the same server. Prints medians over the runs.
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <asio/io_context.hpp>

#include <memcache/async_client.hpp>
#include <memcache/memcache.hpp>

#include "child.hpp"
#include "memcached_server.hpp"
#include "process.hpp"
#include "stats.hpp"
#include "test_certs.hpp"

namespace {

using namespace memcache::bench;
using memcache::test::MemcachedServer;
using memcache::test::TestCerts;
using Clock = std::chrono::steady_clock;

struct Arguments {
  bool quick = false;
  std::size_t runs = 5;
};

Arguments parse(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") {
      args.quick = true;
      args.runs = 1;
    } else if (arg == "--runs" && i + 1 < argc) {
      args.runs = std::stoul(argv[++i]);
    } else {
      throw std::invalid_argument("usage: memcache_tls_bench [--quick] [--runs N]");
    }
  }
  return args;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::vector<std::string> keys() {
  std::vector<std::string> k;
  for (int i = 0; i < 100; ++i) k.push_back("key" + std::to_string(i));
  return k;
}

// Operations per second of `n` calls of `op`, after one warm-up call.
double rate(std::size_t n, const std::function<void(std::size_t)>& op) {
  op(0);
  const auto start = Clock::now();
  for (std::size_t i = 0; i < n; ++i) op(i);
  return static_cast<double>(n) / seconds_since(start);
}

double async_rate(const std::string& spec, const memcache::Options& options, std::size_t n) {
  asio::io_context io;
  memcache::AsyncClient mc(io, {spec}, options);
  const auto k = keys();
  std::size_t issued = 0, done = 0, hits = 0;
  std::function<void()> next = [&] {
    if (issued == n) return;
    mc.async_get(k[issued++ % k.size()], [&](std::error_code ec, std::optional<std::string> v) {
      ++done;
      if (!ec && v) ++hits;
      next();
    });
  };
  mc.async_get("key0", [](std::error_code, std::optional<std::string>) {});
  io.run();  // connected (and the handshake done)
  io.restart();
  const auto start = Clock::now();
  for (int chain = 0; chain < 64; ++chain) next();
  io.run();
  const double r = static_cast<double>(done) / seconds_since(start);
  if (hits != n) throw std::runtime_error(fmt::format("async: {} hits of {}", hits, n));
  return r;
}

struct Mode {
  std::string name;
  std::string spec;
  memcache::Options options;
  Sample get, multi, async, connect;
};

}  // namespace

int main(int argc, char** argv) try {
  const Arguments args = parse(argc, argv);
  const TestCerts certs;
  const std::uint16_t plain_port = memcache::test::free_port();
  auto server_args = certs.server_args();
  server_args.insert(server_args.end(), {"-l", "notls:127.0.0.1:" + std::to_string(plain_port)});
  MemcachedServer server(MemcachedServer::Transport::tcp, server_args);

  memcache::Options plain_options;
  memcache::Options tls_options;
  tls_options.tls.enabled = true;
  tls_options.tls.ca_file = certs.ca();
  std::vector<Mode> modes{{"plain", "127.0.0.1:" + std::to_string(plain_port), plain_options, {}, {}, {}, {}},
                          {"TLS", server.spec(), tls_options, {}, {}, {}, {}}};
  {
    memcache::Client seed({modes[0].spec});
    for (const auto& k : keys()) seed.set(k, std::string(100, 'v'));
  }

  const std::size_t gets = args.quick ? 2000 : 20000;
  const std::size_t multis = args.quick ? 200 : 2000;
  const std::size_t async_gets = args.quick ? 20000 : 200000;
  const std::size_t connects = args.quick ? 50 : 300;
  const auto k = keys();
  Sample resumed, plain_reconnect, construct;
  for (std::size_t run = 0; run < args.runs; ++run) {
    for (auto& m : modes) {
      memcache::Client mc({m.spec}, m.options);
      m.get.rates.push_back(rate(gets, [&](std::size_t i) { mc.get(k[i % k.size()]); }));
      m.multi.rates.push_back(rate(multis, [&](std::size_t) {
        if (mc.get_multi(k).size() != k.size()) throw std::runtime_error("get_multi missed keys");
      }));
      m.async.rates.push_back(async_rate(m.spec, m.options, async_gets));
      // A fresh client each time: its own TLS context, so a full handshake.
      m.connect.rates.push_back(rate(connects, [&](std::size_t) {
        memcache::Client fresh({m.spec}, m.options);
        if (!fresh.get("key0")) throw std::runtime_error("connect: miss");
      }));
      Sample& reconnect = m.name == "TLS" ? resumed : plain_reconnect;
      reconnect.rates.push_back(rate(connects, [&](std::size_t) {
        mc.disconnect_all();
        if (!mc.get("key0")) throw std::runtime_error("reconnect: miss");
      }));
      if (m.name == "TLS") {
        // What a fresh client costs before it connects: its OpenSSL context.
        construct.rates.push_back(rate(connects, [&](std::size_t) { memcache::Client idle({m.spec}, m.options); }));
      }
    }
  }

  auto us = [](const Sample& s) { return 1e6 / s.median(); };
  const Mode& plain = modes[0];
  const Mode& tls = modes[1];
  std::printf("memcached 1.6 on 127.0.0.1, one server listening with and without TLS; medians of %zu run(s)\n\n",
              args.runs);
  std::printf("%-44s %12s %12s %10s\n", "workload", "plain", "TLS", "TLS/plain");
  auto row = [&](const char* name, const Sample& a, const Sample& b, bool rates) {
    const std::string pa = rates ? format_rate(a.median()) + "/s" : fmt::format("{:.1f} us", us(a));
    const std::string pb = rates ? format_rate(b.median()) + "/s" : fmt::format("{:.1f} us", us(b));
    std::printf("%-44s %12s %12s %9.2fx\n", name, pa.c_str(), pb.c_str(),
                rates ? paired_ratio(a, b) : paired_ratio(a, b));
  };
  row("sync get, sequential (per get)", plain.get, tls.get, false);
  row("sync get_multi of 100 keys (per call)", plain.multi, tls.multi, false);
  row("async_get, 64 in flight, one connection", plain.async, tls.async, true);
  row("new client + first get (connect[+handshake])", plain.connect, tls.connect, false);
  row("reconnect + get (TLS: session resumed)", plain_reconnect, resumed, false);
  std::printf("%-44s %12s %12s\n", "TLS client construction (OpenSSL context)", "",
              fmt::format("{:.1f} us", us(construct)).c_str());

  // pymemcache on the same listeners, for context.
  const std::string script = std::string(MEMCACHE_BENCH_DIR) + "/tls_pymemcache.py";
  auto py = [&](std::uint16_t port, const std::string& ca) {
    auto r = memcache::test::run_process({"/usr/bin/python3", script, "127.0.0.1", std::to_string(port), ca,
                                          std::to_string(gets / 4), std::to_string(multis / 4)});
    if (r.exit_code != 0) return std::string("(pymemcache failed: " + r.err + ")");
    return r.out.substr(0, r.out.find('\n'));
  };
  const std::string py_plain = py(plain_port, "-");
  const std::string py_tls = py(server.port(), certs.ca());
  std::printf("\npymemcache 3.5, same server (us per get, us per get_many of 100): plain %s, TLS %s\n",
              py_plain.c_str(), py_tls.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "memcache_tls_bench: %s\n", e.what());
  return 1;
}
