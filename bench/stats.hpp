#ifndef MEMCACHE_BENCH_STATS_HPP
#define MEMCACHE_BENCH_STATS_HPP

#include <string>
#include <vector>

namespace memcache::bench {

/// The rates of one client over the interleaved runs of a workload.
struct Sample {
  std::vector<double> rates;  // operations per second, one per run

  double median() const;
  /// (max - min) / median: how noisy the runs were.
  double spread() const;
};

/// The median over runs of `a`'s rate / `b`'s in the same run. Runs are
/// interleaved, so this cancels load that drifts between runs (on a shared
/// machine it is far steadier than the ratio of the two medians).
double paired_ratio(const Sample& a, const Sample& b);

/// A rate for a table: "41.3k", "1.20M", "870".
std::string format_rate(double per_second);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_STATS_HPP
