#ifndef MEMCACHE_SRC_TOPOLOGY_HPP
#define MEMCACHE_SRC_TOPOLOGY_HPP

#include <memory>
#include <vector>

#include <memcache/options.hpp>
#include <memcache/server.hpp>

#include "hashing/server_ring.hpp"
#include "host.hpp"

namespace memcache::detail {

/// A server list as one immutable unit: its hosts and the ring over them.
/// set_servers() swaps in a new one; calls in flight keep the old alive.
struct Topology {
  Topology(const std::vector<Server>& servers, const Options& options, asio::io_context& io, const Host::Log& log);

  std::vector<std::unique_ptr<Host>> hosts;
  ServerRing ring;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TOPOLOGY_HPP
