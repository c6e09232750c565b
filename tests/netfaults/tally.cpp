#include "tally.hpp"

#include <algorithm>

namespace netfaults {

void Tally::add(Clock::time_point began, Outcome outcome, const std::string& key, bool timed) {
  const auto now = Clock::now();
  const auto took =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - began).count());
  const auto since = now - start_;
  const auto index = since < Clock::duration::zero() ? 0 : static_cast<std::size_t>(since / bucket_width);
  if (index >= buckets_.size()) buckets_.resize(index + 1);
  Bucket& bucket = buckets_[index];
  ++bucket.calls[static_cast<std::size_t>(outcome)];
  if (outcome == Outcome::wrong && wrong_keys_.size() < 5) wrong_keys_.push_back(key);
  if (!timed) return;
  bucket.worst_us = std::max(bucket.worst_us, took);
  latencies_us_.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(took, UINT32_MAX)));
  if (took > worst_us_) {
    worst_us_ = took;
    worst_at_ = std::chrono::duration<double>(began - start_).count();
  }
}

void Tally::merge(const Tally& other) {
  if (other.buckets_.size() > buckets_.size()) buckets_.resize(other.buckets_.size());
  for (std::size_t i = 0; i < other.buckets_.size(); ++i) {
    for (std::size_t o = 0; o < 4; ++o) buckets_[i].calls[o] += other.buckets_[i].calls[o];
    buckets_[i].worst_us = std::max(buckets_[i].worst_us, other.buckets_[i].worst_us);
  }
  latencies_us_.insert(latencies_us_.end(), other.latencies_us_.begin(), other.latencies_us_.end());
  for (const auto& key : other.wrong_keys_) {
    if (wrong_keys_.size() < 5) wrong_keys_.push_back(key);
  }
  if (other.worst_us_ > worst_us_) {
    worst_us_ = other.worst_us_;
    worst_at_ = other.worst_at_;
  }
}

}  // namespace netfaults
