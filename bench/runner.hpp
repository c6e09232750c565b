#ifndef MEMCACHE_BENCH_RUNNER_HPP
#define MEMCACHE_BENCH_RUNNER_HPP

#include <cstddef>
#include <optional>
#include <vector>

#include "cluster.hpp"
#include "peers.hpp"
#include "stats.hpp"
#include "workloads.hpp"

namespace memcache::bench {

/// A workload's rates for each client that ran it.
struct Result {
  const Workload* workload = nullptr;
  std::size_t ops = 0;  ///< operations per timed run
  Sample memcache;
  Sample libmemcached;
  std::optional<Sample> raw_socket;
};

/// Times `workload` `runs` times per client, the clients interleaved in each
/// round (memcache, libmemcached, raw socket; the first to go rotates), every
/// client with its own connections to the same servers.
Result run_workload(const Workload& workload, const Cluster& cluster, std::size_t runs, std::size_t ops);

/// The operations per timed run: the workload's own, or about 1/200 of them
/// for `--quick` (at least one batch).
std::size_t ops_for(const Workload& workload, bool quick);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_RUNNER_HPP
