#ifndef MEMCACHE_SRC_CLUSTER_SERVER_STATE_HPP
#define MEMCACHE_SRC_CLUSTER_SERVER_STATE_HPP

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include <memcache/options.hpp>

#include "cluster/address.hpp"

namespace memcache::detail {

class TlsPeer;

/// One server of the list as both clients see it: where it is, its weight,
/// and its health (python-memcached's _Host): dead for `dead_retry` after a
/// failure, and owed a flush_all on its next connection when
/// `flush_on_reconnect` is on. Holds no connections: each driver keeps its
/// own (the sync pool, the async pipelined connection). Thread-safe.
///
/// Once a dead server's time is up, one call at a time probes it: usable()
/// lets the first caller through and keeps skipping the server for the
/// others for `dead_probe_interval`. A probe that succeeds (mark_alive)
/// brings the server back for everyone; one that fails (mark_dead) skips it
/// for another `dead_probe_interval` only, not a whole `dead_retry`, so a
/// server that comes back is used again within about that interval.
class ServerState {
 public:
  using Log = std::function<void(std::string_view)>;

  ServerState(Address address, unsigned weight, const Options& options, Log log);

  const Address& address() const { return address_; }
  unsigned weight() const { return weight_; }

  /// Whether a call may use this server now: alive, or dead with its retry
  /// time up and no other call probing it (the caller becomes the probe).
  bool usable();
  /// Skipped for dead_retry (a server that was alive) or dead_probe_interval
  /// (a probe that failed); with flush_on_reconnect, its next connection
  /// sends flush_all first. The caller closes its connections.
  void mark_dead(std::string_view reason);
  /// A reply arrived: the server is alive (ends a probe). Cheap when it was.
  void mark_alive() {
    if (dead_until_ns_.load(std::memory_order_relaxed) != 0) dead_until_ns_.store(0, std::memory_order_relaxed);
  }
  /// forget_dead_hosts().
  void revive() { dead_until_ns_.store(0, std::memory_order_relaxed); }
  /// Marked dead and not yet answering again (whether or not it is probed).
  bool dead() const { return dead_until_ns_.load(std::memory_order_relaxed) != 0; }

  /// Whether the next connection must send flush_all first. Taking it clears
  /// it; flush_due_again() puts it back when that flush failed.
  bool take_flush_due() { return flush_on_next_connect_.exchange(false); }
  void flush_due_again() { flush_on_next_connect_.store(true); }

  /// Writes to the debug log.
  void log(std::string_view message) const { log_(message); }

  /// Its TLS side (name, session to resume), or null without TLS.
  TlsPeer* tls() const { return tls_.get(); }
  void set_tls(std::shared_ptr<TlsPeer> tls) { tls_ = std::move(tls); }

 private:
  Address address_;
  unsigned weight_;
  const Options& options_;
  Log log_;
  // 0: alive. Else dead; skipped until this steady_clock time (ns), after
  // which the first usable() moves it on by one probe interval and probes.
  std::atomic<std::int64_t> dead_until_ns_{0};
  std::atomic<bool> flush_on_next_connect_{false};
  std::shared_ptr<TlsPeer> tls_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_CLUSTER_SERVER_STATE_HPP
