#ifndef MEMCACHE_SRC_CLUSTER_TOPOLOGY_HPP
#define MEMCACHE_SRC_CLUSTER_TOPOLOGY_HPP

#include <memory>
#include <vector>

#include <memcache/options.hpp>
#include <memcache/server.hpp>

#include "cluster/hashing/server_selector.hpp"
#include "cluster/server_state.hpp"

namespace memcache::detail {

/// A server list as one immutable unit: each server's state and the
/// selector that places keys on them. set_servers() swaps in a new one;
/// calls in flight keep the old alive.
struct Topology {
  Topology(const std::vector<Server>& list, const Options& options, const ServerState::Log& log);

  std::vector<std::unique_ptr<ServerState>> servers;
  ServerSelector selector;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_CLUSTER_TOPOLOGY_HPP
