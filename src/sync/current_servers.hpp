#ifndef MEMCACHE_SRC_SYNC_CURRENT_SERVERS_HPP
#define MEMCACHE_SRC_SYNC_CURRENT_SERVERS_HPP

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "sync/servers.hpp"

namespace memcache::detail {

/// The sync client's current server list, as every call reads it: without a
/// lock and without a reference count that all threads write (a shared
/// client's calls would otherwise queue on one mutex and bounce one cache
/// line between cores, call after call). A call marks itself in flight on
/// its thread's own counter; set_servers() swaps the list, and a replaced
/// list is freed once no call is in flight anywhere (checked at the next
/// set_servers() and at destruction), its idle connections closed at once.
class CurrentServers {
 public:
  explicit CurrentServers(std::unique_ptr<SyncServers> first);
  ~CurrentServers();
  CurrentServers(const CurrentServers&) = delete;
  CurrentServers& operator=(const CurrentServers&) = delete;

  /// The list a call uses, valid until this goes away.
  class Use {
   public:
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() { in_flight_.fetch_sub(1, std::memory_order_release); }
    const SyncServers& operator*() const { return *list_; }
    const SyncServers* operator->() const { return list_; }

   private:
    friend class CurrentServers;
    Use(std::atomic<std::size_t>& in_flight, const SyncServers* list) : in_flight_(in_flight), list_(list) {}
    std::atomic<std::size_t>& in_flight_;
    const SyncServers* list_;
  };

  Use use() const {
    std::atomic<std::size_t>& mine = shards_[shard()].in_flight;
    // seq_cst both: a list replace() sees no call on may not be in use.
    mine.fetch_add(1);
    return Use(mine, current_.load());
  }

  /// set_servers(): later calls use `fresh`.
  void replace(std::unique_ptr<SyncServers> fresh);

 private:
  static constexpr std::size_t shard_count = 16;
  struct alignas(64) Shard {
    std::atomic<std::size_t> in_flight{0};
  };
  static std::size_t shard();

  mutable std::array<Shard, shard_count> shards_;
  std::atomic<const SyncServers*> current_;
  std::mutex replace_mutex_;
  std::unique_ptr<SyncServers> owned_;                 // the current list
  std::vector<std::unique_ptr<SyncServers>> retired_;  // replaced, maybe still in use
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_CURRENT_SERVERS_HPP
