#ifndef MEMCACHE_BENCH_WORKLOADS_HPP
#define MEMCACHE_BENCH_WORKLOADS_HPP

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "peer.hpp"

namespace memcache::bench {

/// A workload's timed part, ready to go: what it needs was set up untimed.
using Run = std::function<void()>;

/// One thing measured, written once against `Peer` so that every client runs
/// the same body.
struct Workload {
  Workload(std::string name_, std::string what_, std::string unit_)
      : name(std::move(name_)), what(std::move(what_)), unit(std::move(unit_)) {}

  std::string name;  ///< what the command-line filter matches
  std::string what;  ///< one line for the report
  std::string unit;  ///< what one operation is, for "per second"
  std::size_t servers = 1;
  std::size_t ops = 0;      ///< operations per timed run
  std::size_t batch = 1;    ///< `ops` is a multiple of this
  double target = 1.0;      ///< memcache's rate / libmemcached's, at least
  bool raw_floor = false;   ///< also time the raw socket (workloads on 1 server)
  double floor_target = 0;  ///< memcache's rate / the raw socket's, at least (0: none)
  /// Sets up (stores the keys it reads, opens per-thread handles) and returns
  /// the body doing `ops` operations. The body throws if a call fails.
  std::function<Run(Peer&, std::size_t ops)> prepare;
};

/// Every workload, in report order.
std::vector<Workload> workloads();

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_WORKLOADS_HPP
