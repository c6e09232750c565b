#ifndef MEMCACHE_BENCH_REPORT_HPP
#define MEMCACHE_BENCH_REPORT_HPP

#include <optional>
#include <vector>

#include "allocations.hpp"
#include "runner.hpp"

namespace memcache::bench {

/// The tables, in Markdown so they paste into docs/performance.md.
void print_machine(std::size_t runs);
void print_rates(const std::vector<Result>& results);
/// Instructions per get under callgrind, and their ratio against the target.
void print_instructions(double memcache, double libmemcached);
void print_allocations(const std::vector<AllocationsPerCall>& rows);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_REPORT_HPP
