#include "sync/current_servers.hpp"

namespace memcache::detail {

CurrentServers::CurrentServers(std::unique_ptr<SyncServers> first) : current_(first.get()), owned_(std::move(first)) {}

CurrentServers::~CurrentServers() = default;

std::size_t CurrentServers::shard() {
  // Threads take shards in turn, so that up to shard_count threads never
  // share a counter.
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t mine = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
  return mine;
}

void CurrentServers::replace(std::unique_ptr<SyncServers> fresh) {
  std::lock_guard<std::mutex> lock(replace_mutex_);
  current_.store(fresh.get());
  owned_->disconnect_all();  // idle connections now; borrowed ones when given back
  retired_.push_back(std::move(owned_));
  owned_ = std::move(fresh);
  // A call that read a replaced list counted itself in flight before reading
  // it: with every counter at zero after the swap, none still holds one.
  for (const Shard& s : shards_) {
    if (s.in_flight.load() != 0) return;
  }
  retired_.clear();
}

}  // namespace memcache::detail
