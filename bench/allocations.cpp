#include "allocations.hpp"

#include <sstream>
#include <stdexcept>

#include "process.hpp"
#include "programs.hpp"

namespace memcache::bench {

std::vector<AllocationsPerCall> allocations_per_call(const std::string& server, std::size_t calls) {
  const auto result = test::run_process(
      {sibling_path("memcache_bench_allocations"), "--server", server, "--calls", std::to_string(calls)});
  if (result.exit_code != 0) throw std::runtime_error("memcache_bench_allocations failed: " + result.err);
  std::vector<AllocationsPerCall> out;
  std::istringstream lines(result.out);
  AllocationsPerCall row;
  while (lines >> row.call >> row.allocations >> row.bytes) out.push_back(row);
  if (out.empty()) throw std::runtime_error("memcache_bench_allocations printed nothing");
  return out;
}

}  // namespace memcache::bench
