#ifndef MEMCACHE_SRC_SYNC_SERVERS_HPP
#define MEMCACHE_SRC_SYNC_SERVERS_HPP

#include <memory>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>

#include <memcache/options.hpp>

#include "cluster/topology.hpp"
#include "sync/pool.hpp"

namespace memcache::detail {

/// The sync client's view of a server list: the shared topology (health,
/// placement) and a bounded connection pool per server. Swapped as one unit
/// by set_servers(); calls in flight keep theirs alive.
class SyncServers {
 public:
  SyncServers(std::shared_ptr<Topology> topology, const Options& options, asio::io_context& io);

  const Topology& topology() const { return *topology_; }
  std::size_t size() const { return pools_.size(); }
  ServerState& state(std::size_t i) const { return *topology_->servers[i]; }
  Pool& pool(std::size_t i) const { return *pools_[i]; }

  /// A server failed: skip it for dead_retry and close its idle connections.
  void mark_dead(std::size_t i, std::string_view reason) const;
  /// disconnect_all().
  void disconnect_all() const;

 private:
  /// Connects to server `i`, flushing it first when it is owed a flush on
  /// reconnect. Throws IoError.
  std::unique_ptr<Connection> open(std::size_t i) const;

  std::shared_ptr<Topology> topology_;
  const Options& options_;
  asio::io_context& io_;
  std::vector<std::unique_ptr<Pool>> pools_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_SERVERS_HPP
