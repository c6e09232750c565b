#include "report.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>

#include <fmt/format.h>

namespace memcache::bench {
namespace {

// Instructions per get, memcache / libmemcached, at most.
constexpr double instructions_target = 0.7;

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

const char* yes_no(bool met) { return met ? "yes" : "**no**"; }

}  // namespace

void print_machine(std::size_t runs) {
  fmt::print("{} cores, {}; median of {} interleaved run(s) per client\n\n", std::thread::hardware_concurrency(),
             cpu_model(), runs);
}

void print_rates(const std::vector<Result>& results) {
  if (results.empty()) return;
  fmt::print(
      "| workload | ops/run | memcache /s | libmemcached /s | ratio | target | raw socket /s | "
      "memcache / raw | met | spread |\n");
  fmt::print("|---|---:|---:|---:|---:|---|---:|---:|---|---:|\n");
  for (const Result& r : results) {
    const Workload& w = *r.workload;
    const double ours = r.memcache.median();
    const double ratio = paired_ratio(r.memcache, r.libmemcached);
    bool met = ratio >= w.target;
    std::string target = fmt::format("≥ {:.1f}", w.target);
    std::string raw = "–";
    std::string of_raw = "–";
    double spread = std::max(r.memcache.spread(), r.libmemcached.spread());
    if (r.raw_socket) {
      const double floor_ratio = paired_ratio(r.memcache, *r.raw_socket);
      raw = format_rate(r.raw_socket->median());
      of_raw = fmt::format("{:.2f}", floor_ratio);
      spread = std::max(spread, r.raw_socket->spread());
      if (w.floor_target > 0) {
        target += fmt::format("; ≥ {:.2f} of raw", w.floor_target);
        met = met && floor_ratio >= w.floor_target;
      }
    }
    fmt::print("| {} | {} {} | {} | {} | {:.2f} | {} | {} | {} | {} | {:.0f}% |\n", w.name, r.ops, w.unit,
               format_rate(ours), format_rate(r.libmemcached.median()), ratio, target, raw, of_raw, yes_no(met),
               spread * 100);
  }
  fmt::print(
      "\nRates are medians over the runs. ratio and memcache / raw are medians of the per-run ratios (higher is "
      "better); spread = (max - min) / median of the rates, the noisiest client's.\n");
  for (const Result& r : results) fmt::print("- {}: {}\n", r.workload->name, r.workload->what);
  fmt::print("\n");
}

void print_instructions(double memcache, double libmemcached) {
  const double ratio = memcache / libmemcached;
  fmt::print("| client instructions per get (100 B, callgrind) | memcache | libmemcached | ratio | target | met |\n");
  fmt::print("|---|---:|---:|---:|---|---|\n");
  fmt::print("| get_100B | {:.0f} | {:.0f} | {:.2f} | ≤ {:.1f} | {} |\n\n", memcache, libmemcached, ratio,
             instructions_target, yes_no(ratio <= instructions_target));
}

void print_allocations(const std::vector<AllocationsPerCall>& rows) {
  fmt::print("| memcache call | heap allocations per call | bytes allocated per call |\n");
  fmt::print("|---|---:|---:|\n");
  for (const auto& row : rows) fmt::print("| {} | {:.2f} | {:.0f} |\n", row.call, row.allocations, row.bytes);
  fmt::print(
      "\nget_10B's value fits std::string's inline buffer: it counts the library's own allocations only; "
      "get_100B adds the returned string's.\n\n");
}

}  // namespace memcache::bench
