#ifndef MEMCACHE_BENCH_ALLOCATIONS_HPP
#define MEMCACHE_BENCH_ALLOCATIONS_HPP

#include <cstddef>
#include <string>
#include <vector>

namespace memcache::bench {

/// Heap allocations of one kind of call of this library's Client.
struct AllocationsPerCall {
  std::string call;  ///< "get_10B", "get_100B", "set_100B", "get_multi_100"
  double allocations = 0;
  double bytes = 0;
};

/// Runs memcache_bench_allocations (built next to this program) against
/// `server`. Throws std::runtime_error when it fails.
std::vector<AllocationsPerCall> allocations_per_call(const std::string& server, std::size_t calls);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_ALLOCATIONS_HPP
