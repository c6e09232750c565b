#ifndef MEMCACHE_BENCH_COUNTING_NEW_HPP
#define MEMCACHE_BENCH_COUNTING_NEW_HPP

#include <cstddef>

namespace memcache::bench {

/// What the program's global operator new has handed out so far (every
/// thread, every library that allocates with new).
struct AllocationCount {
  std::size_t calls = 0;
  std::size_t bytes = 0;
};

AllocationCount allocations_so_far();

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_COUNTING_NEW_HPP
