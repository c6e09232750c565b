// What one worker of a netfaults driver saw: per 100 ms bucket, its calls by
// outcome and its slowest call; every call's latency for the percentiles.
#ifndef MEMCACHE_NETFAULTS_TALLY_HPP
#define MEMCACHE_NETFAULTS_TALLY_HPP

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace netfaults {

using Clock = std::chrono::steady_clock;

enum class Outcome { ok, miss, failed, wrong };

struct Bucket {
  std::array<std::uint64_t, 4> calls{};  // by Outcome
  std::uint64_t worst_us = 0;
};

/// One worker's record; workers of one home server are merged at the end.
class Tally {
 public:
  static constexpr std::chrono::milliseconds bucket_width{100};

  Tally(Clock::time_point start, std::size_t buckets) : start_(start), buckets_(buckets) {}

  /// `timed` false: the call is counted, its latency already was (a
  /// get_multi is tallied once per home server it asked).
  void add(Clock::time_point began, Outcome outcome, const std::string& key, bool timed = true);
  void merge(const Tally& other);

  const std::vector<Bucket>& buckets() const { return buckets_; }
  const std::vector<std::uint32_t>& latencies_us() const { return latencies_us_; }
  const std::vector<std::string>& wrong_keys() const { return wrong_keys_; }
  std::uint64_t worst_us() const { return worst_us_; }
  double worst_at() const { return worst_at_; }

 private:
  Clock::time_point start_;
  std::vector<Bucket> buckets_;
  std::vector<std::uint32_t> latencies_us_;
  std::vector<std::string> wrong_keys_;  // the first few, for the report
  std::uint64_t worst_us_ = 0;
  double worst_at_ = 0;  // seconds after start_ the worst call began
};

}  // namespace netfaults

#endif  // MEMCACHE_NETFAULTS_TALLY_HPP
