#ifndef MEMCACHE_SRC_HOST_HPP
#define MEMCACHE_SRC_HOST_HPP

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>

#include <memcache/options.hpp>

#include "address.hpp"
#include "net/pool.hpp"

namespace memcache::detail {

/// One server of the list: where it is, its weight, whether it is dead
/// (python-memcached's _Host), and its connection pool.
class Host {
 public:
  using Log = std::function<void(std::string_view)>;

  Host(Address address, unsigned weight, const Options& options, asio::io_context& io, Log log);

  const Address& address() const { return address_; }
  unsigned weight() const { return weight_; }

  /// Within dead_retry of a failure (python-memcached's _check_dead).
  bool is_dead() const;
  /// Skips this server for dead_retry and closes its idle connections;
  /// with flush_on_reconnect, it is flushed when it is next connected to.
  void mark_dead(std::string_view reason);
  /// forget_dead_hosts().
  void revive() { dead_until_ns_.store(0, std::memory_order_relaxed); }

  /// A connection, opened now if none is idle (and flushed first if the
  /// server came back from the dead with flush_on_reconnect). Throws IoError;
  /// the caller marks the server dead.
  Pool::Lease acquire();
  /// For a client that opens its own connections (the async engine): whether
  /// the next one must send flush_all first (flush_on_reconnect after a
  /// failure). Taking it clears it; flush_due_again() puts it back when that
  /// flush failed.
  bool take_flush_due() { return flush_on_next_connect_.exchange(false); }
  void flush_due_again() { flush_on_next_connect_.store(true); }
  /// Writes to the debug log.
  void log(std::string_view message) const { log_(message); }
  /// disconnect_all().
  void disconnect() { pool_.clear(); }
  std::size_t open_connections() const { return pool_.open_connections(); }

 private:
  std::unique_ptr<Connection> open();

  Address address_;
  unsigned weight_;
  const Options& options_;
  asio::io_context& io_;
  Log log_;
  Pool pool_;
  std::atomic<std::int64_t> dead_until_ns_{0};
  std::atomic<bool> flush_on_next_connect_{false};
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_HOST_HPP
