#ifndef MEMCACHE_SRC_NET_POOL_HPP
#define MEMCACHE_SRC_NET_POOL_HPP

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "cluster/connection_cap.hpp"
#include "sync/connection.hpp"
#include "transport/io_error.hpp"

namespace memcache::detail {

/// No pooled connection was returned in time: the server is busy (all the
/// connections it accepts are in use), not failed.
class PoolExhausted : public IoError {
 public:
  using IoError::IoError;
};

/// A bounded pool of connections to one server: idle ones are reused, new
/// ones are opened lazily, callers past the bound wait for a return.
class Pool {
 public:
  using Opener = std::function<std::unique_ptr<Connection>()>;

  /// A borrowed connection, given back on destruction unless discarded.
  class Lease {
   public:
    Lease() = default;
    Lease(Pool* pool, std::unique_ptr<Connection> conn, std::uint64_t generation)
        : pool_(pool), conn_(std::move(conn)), generation_(generation) {}
    // Inline: a get moves one lease into its call and gives it back, and
    // these are a few loads and stores.
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), conn_(std::move(other.conn_)), generation_(other.generation_), keep_(other.keep_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        release();
        pool_ = other.pool_;
        conn_ = std::move(other.conn_);
        generation_ = other.generation_;
        keep_ = other.keep_;
        other.pool_ = nullptr;
      }
      return *this;
    }
    ~Lease() { release(); }

    explicit operator bool() const { return conn_ != nullptr; }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }
    /// The connection is out of step or broken: close it instead of reusing it.
    void discard() { keep_ = false; }
    void release() {
      if (pool_ == nullptr) return;
      if (conn_) pool_->give_back(std::move(conn_), generation_, keep_);
      pool_ = nullptr;
    }

   private:
    friend class Pool;
    Pool* pool_ = nullptr;
    std::unique_ptr<Connection> conn_;
    std::uint64_t generation_ = 0;
    bool keep_ = true;
  };

  /// `open` makes a new connection (or throws IoError when it cannot connect).
  Pool(std::size_t max_connections, Opener open) : cap_(max_connections), open_connection_(std::move(open)) {}

  /// An idle connection, or a new one; waits up to `wait` when
  /// `max_connections` (or the cap the server taught, see refused()) are out,
  /// then throws PoolExhausted. Throws IoError when it cannot connect.
  Lease acquire(std::chrono::milliseconds wait);

  /// An idle connection, or a new one while fewer than the cap are open; an
  /// empty lease, without waiting, when every connection is out. Throws
  /// IoError when it cannot connect.
  Lease try_acquire();

  /// The server refused `lease`'s new connection (too many open): it is
  /// closed, and no more connections than are open now are opened until
  /// clear(). Returns whether other connections are open, so that waiting in
  /// acquire() for one of them can help.
  bool refused(Lease& lease);

  /// Closes idle connections; borrowed ones are closed when given back.
  /// Forgets a learned cap.
  void clear();

 private:
  void give_back(std::unique_ptr<Connection> conn, std::uint64_t generation, bool keep);
  /// Whether a connection can be had now (`mutex_` held).
  bool available() const { return !idle_.empty() || open_ < cap_.limit(); }
  /// Hands out an idle connection or opens one; `lock` holds `mutex_` and
  /// available() is true.
  Lease take(std::unique_lock<std::mutex>& lock);

  ConnectionCap cap_;  // guarded by mutex_
  const Opener open_connection_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::deque<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
  std::size_t waiting_ = 0;  // callers in acquire() waiting for a return
  std::uint64_t generation_ = 0;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_NET_POOL_HPP
