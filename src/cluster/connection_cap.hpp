#ifndef MEMCACHE_SRC_CLUSTER_CONNECTION_CAP_HPP
#define MEMCACHE_SRC_CLUSTER_CONNECTION_CAP_HPP

#include <algorithm>
#include <cstddef>

namespace memcache::detail {

/// How many connections to one server a client may open: the configured
/// bound (max_connections_per_server), lowered to what the server accepts
/// once it refused one (memcached `-c N` answers "ERROR Too many open
/// connections" and closes), so that callers wait for a pooled connection
/// instead of opening more that fail. Not thread-safe: its owner (a pool)
/// guards it. Forgotten by reset() (the server was marked dead, or
/// disconnect_all()), after which the bound is learned again.
class ConnectionCap {
 public:
  explicit ConnectionCap(std::size_t configured) : configured_(std::max<std::size_t>(configured, 1)) {}

  /// Most connections to open now.
  std::size_t limit() const { return std::min(configured_, learned_); }
  /// Whether a cap was learned from a refusal.
  bool learned() const { return learned_ < configured_; }

  /// A new connection was refused while `others` of ours were open and
  /// working: the server takes no more than those. Returns whether waiting
  /// for one of them can help (false when there are none).
  bool refused(std::size_t others) {
    if (others == 0) return false;
    learned_ = std::min(learned_, others);
    return true;
  }
  void reset() { learned_ = static_cast<std::size_t>(-1); }

 private:
  std::size_t configured_;
  std::size_t learned_ = static_cast<std::size_t>(-1);
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_CLUSTER_CONNECTION_CAP_HPP
