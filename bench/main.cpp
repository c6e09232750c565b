// memcache_bench: this library against libmemcached, side by side on the same
// memcached servers (started here, on free ports), in one process.
//
//   memcache_bench [--quick] [--runs N] [--awake] [--list] [FILTER...]
//   memcache_bench --callgrind-get N --peer memcache|libmemcached|raw [--server HOST:PORT]
//   memcache_bench --loop WORKLOAD --peer memcache|libmemcached [--ops N]
//
// --memcached-threads N starts the servers with `-t N` instead of 2: with 1,
// both clients' connections to a server are served by the same thread, so
// where the scheduler keeps that thread weighs on both alike
// (docs/performance.md, "4-server get_multi").
// --awake keeps every CPU busy with SCHED_IDLE spinners while workloads run
// (awake.hpp: an idle VM's vCPUs otherwise add their wake-up to every round
// trip). A FILTER picks the workloads (and the measures "callgrind_get",
// "allocations") whose name contains it. The second form is the loop that
// `callgrind_get` runs under valgrind; run it by hand to profile:
//   valgrind --tool=callgrind --collect-atstart=no memcache_bench --callgrind-get 20000 --peer memcache
// The third runs one workload's loop with one client only, on servers of its
// own, so that a tool sees that client alone, e.g. its syscalls:
//   strace -f -c memcache_bench --loop get_multi_each_4srv --peer libmemcached
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "allocations.hpp"
#include "awake.hpp"
#include "callgrind.hpp"
#include "cluster.hpp"
#include "peers.hpp"
#include "programs.hpp"
#include "report.hpp"
#include "runner.hpp"
#include "workloads.hpp"

namespace {

using namespace memcache::bench;

constexpr std::size_t cluster_size = 4;

struct Arguments {
  bool quick = false;
  bool list = false;
  bool awake = false;
  std::size_t runs = 5;
  std::vector<std::string> filters;
  std::optional<std::size_t> callgrind_gets;
  PeerKind peer = PeerKind::memcache;
  std::optional<std::string> server;
  std::optional<std::string> loop;
  std::optional<std::size_t> ops;
  std::vector<std::string> memcached_args;
};

[[noreturn]] void usage() {
  throw std::invalid_argument(
      "usage: memcache_bench [--quick] [--runs N] [--awake] [--list] [--protocol text|meta]\n"
      "                      [--memcached-threads N] [FILTER...]\n"
      "       memcache_bench --callgrind-get N --peer memcache|libmemcached|raw [--server HOST:PORT]\n"
      "                      [--protocol text|meta]\n"
      "       memcache_bench --loop WORKLOAD --peer memcache|libmemcached [--ops N] [--protocol text|meta]");
}

Arguments parse(int argc, char** argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (arg == "--quick") {
      args.quick = true;
    } else if (arg == "--awake") {
      args.awake = true;
    } else if (arg == "--list") {
      args.list = true;
    } else if (arg == "--runs") {
      args.runs = std::stoul(value());
    } else if (arg == "--callgrind-get") {
      args.callgrind_gets = std::stoul(value());
    } else if (arg == "--peer") {
      auto kind = parse_peer_kind(value());
      if (!kind) usage();
      args.peer = *kind;
    } else if (arg == "--loop") {
      args.loop = value();
    } else if (arg == "--ops") {
      args.ops = std::stoul(value());
    } else if (arg == "--memcached-threads") {
      args.memcached_args = {"-t", std::to_string(std::stoul(value()))};
    } else if (arg == "--server") {
      args.server = value();
    } else if (arg == "--protocol") {
      // This library's wire protocol (memcache::Options::protocol).
      const std::string protocol = value();
      if (protocol != "text" && protocol != "meta") usage();
      set_memcache_protocol(protocol == "meta" ? memcache::Protocol::meta : memcache::Protocol::text);
    } else if (!arg.empty() && arg[0] == '-') {
      usage();
    } else {
      args.filters.emplace_back(arg);
    }
  }
  if (args.quick) args.runs = 1;
  if (args.runs == 0) usage();
  return args;
}

bool selected(const Arguments& args, std::string_view name) {
  if (args.filters.empty()) return true;
  for (const auto& f : args.filters) {
    if (name.find(f) != std::string_view::npos) return true;
  }
  return false;
}

int callgrind_mode(const Arguments& args) {
  if (args.server) {
    callgrind_get_loop(args.peer, *args.server, *args.callgrind_gets);
  } else {
    Cluster cluster(1);
    callgrind_get_loop(args.peer, cluster.specs(1).front(), *args.callgrind_gets);
  }
  return 0;
}

// One workload's loop, one client, nothing measured: for strace, perf and the like.
int loop_mode(const Arguments& args) {
  for (const auto& w : workloads()) {
    if (w.name != *args.loop) continue;
    const Cluster cluster(w.servers, args.memcached_args);
    const auto peer = make_peer(args.peer, cluster.specs(w.servers));
    w.prepare(*peer, args.ops.value_or(w.ops))();
    return 0;
  }
  throw std::invalid_argument("no workload named " + *args.loop + " (see --list)");
}

int suite(const Arguments& args) {
  const std::vector<Workload> all = workloads();
  if (args.list) {
    for (const auto& w : all) fmt::print("{:20} {}\n", w.name, w.what);
    fmt::print("{:20} {}\n{:20} {}\n", "callgrind_get", "client instructions per get, under valgrind", "allocations",
               "heap allocations per call of this library");
    return 0;
  }

  Cluster cluster(cluster_size, args.memcached_args);
  print_machine(args.runs);
  if (!args.memcached_args.empty()) fmt::print("memcached {} {}\n\n", args.memcached_args[0], args.memcached_args[1]);
  if (args.awake) fmt::print("--awake: every CPU kept out of idle by a SCHED_IDLE spinner\n\n");

  std::vector<Result> results;
  {
    std::optional<KeepCpusAwake> awake;
    if (args.awake) awake.emplace();
    for (const auto& w : all) {
      if (!selected(args, w.name)) continue;
      std::fprintf(stderr, "running %s...\n", w.name.c_str());
      results.push_back(run_workload(w, cluster, args.runs, ops_for(w, args.quick)));
    }
  }
  print_rates(results);

  const std::string server = cluster.specs(1).front();
  if (selected(args, "callgrind_get")) {
    if (find_in_path("valgrind")) {
      std::fprintf(stderr, "running callgrind_get...\n");
      const std::size_t gets = args.quick ? 200 : 20000;
      const double ours = instructions_per_get(PeerKind::memcache, server, gets);
      print_instructions(ours, instructions_per_get(PeerKind::libmemcached, server, gets));
    } else {
      fmt::print("callgrind_get skipped: valgrind is not installed\n\n");
    }
  }
  if (selected(args, "allocations")) {
    std::fprintf(stderr, "running allocations...\n");
    print_allocations(allocations_per_call(server, args.quick ? 100 : 10000));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Arguments args = parse(argc, argv);
    if (args.callgrind_gets) return callgrind_mode(args);
    return args.loop ? loop_mode(args) : suite(args);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "memcache_bench: %s\n", e.what());
    return 1;
  }
}
