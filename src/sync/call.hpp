#ifndef MEMCACHE_SRC_SYNC_CALL_HPP
#define MEMCACHE_SRC_SYNC_CALL_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include <memcache/options.hpp>

#include "sync/exchange.hpp"
#include "sync/pool.hpp"
#include "sync/servers.hpp"

namespace memcache::detail {

/// One client call's plan: which servers it talks to, a borrowed connection
/// and an exchange per server. Routing connects lazily and skips servers that
/// are dead or fail to connect, as python-memcached's _get_server does.
class Call {
 public:
  struct Slot {
    std::size_t server = 0;
    Pool::Lease lease;
    std::optional<Exchange> exchange;
    bool tried = false;
    /// Every pooled connection was out when routing asked: acquire_waiting()
    /// waits for one.
    bool waiting = false;
    /// None came back within socket_timeout: the part fails (timed_out),
    /// and its keys are not moved to another server.
    bool busy = false;
    /// The exchange finished with every reply read.
    bool ok() const { return exchange && exchange->outcome == Exchange::Outcome::done; }
    /// Why not: the exchange's failure (connection_failed when the server
    /// turned the connection away and no other could be had).
    std::error_code error() const;
  };

  /// The slots of a call, one per server in server-list order.
  class Slots {
   public:
    Slots(Slot* first, std::size_t count) : first_(first), count_(count) {}
    Slot* begin() const { return first_; }
    Slot* end() const { return first_ + count_; }
    Slot* data() const { return first_; }
    std::size_t size() const { return count_; }
    Slot& operator[](std::size_t i) const { return first_[i]; }

   private:
    Slot* first_;
    std::size_t count_;
  };

  Call(const SyncServers& servers, const Options& options);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  /// The slot of the server `key` (as sent) lives on, or nullptr when no
  /// server could be reached.
  Slot* route(std::string_view key, std::optional<std::uint64_t> hash);
  /// The slot of server `index`, or nullptr when it is dead or unreachable.
  /// A server whose connections are all in use is routed to all the same
  /// (busy is not failed); its slot gets a connection in acquire_waiting().
  Slot* server(std::size_t index);
  /// After routing: waits for the connections that routing found all in
  /// use, in server-list order, giving back first every connection held for
  /// a later server. A call that waits then holds only earlier servers'
  /// connections, so two calls never wait on each other (each holding what
  /// the other needs) until socket_timeout. A slot still without one is busy.
  void acquire_waiting();
  /// Every slot in server-list order (empty ones included).
  Slots slots() { return {slots_, count_}; }

  /// Runs every exchange; marks servers that failed dead (unless `admin`:
  /// stats, flush_all) and closes connections that failed or fell out of step.
  void run(bool admin = false);

 private:
  /// The server refused `slot`'s new connection: its requests move to a
  /// pooled connection, waited for up to socket_timeout. False when none
  /// can be had (the slot is left without an exchange: the part fails).
  bool move_to_pooled(Slot& slot);

  // Up to this many servers, a call's slots live in the call itself.
  static constexpr std::size_t inline_slots = 4;

  const SyncServers& servers_;
  const Options& options_;
  // Raw room for the inline slots: only as many as there are servers are
  // constructed (a default Slot is large, and zeroing four costs more than a
  // one-server get does).
  alignas(Slot) unsigned char inline_[inline_slots * sizeof(Slot)];
  std::unique_ptr<Slot[]> more_;  // all the slots when there are more servers
  Slot* slots_;
  std::size_t count_;
  std::size_t waiting_ = 0;  // slots routing left waiting
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_CALL_HPP
