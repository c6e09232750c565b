#ifndef MEMCACHE_SRC_SYNC_EXCHANGE_HPP
#define MEMCACHE_SRC_SYNC_EXCHANGE_HPP

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/dispatcher.hpp"
#include "sync/connection.hpp"

namespace memcache::detail {

/// One connection's part of a call: the pipelined requests to write and the
/// operations their replies go to. The request bytes and the dispatcher are
/// the connection's own, emptied here, so an exchange allocates nothing.
struct Exchange {
  /// refused: the server turned the new connection away before reading it
  /// (protocol::TooManyConnections); the requests may go on another one.
  enum class Outcome { pending, done, io_failed, timed_out, protocol_failed, refused };

  Exchange(Connection& connection, std::size_t max_value);
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  Connection* conn;
  std::string& request;
  std::size_t written = 0;
  protocol::Dispatcher& dispatcher;
  /// Queued first when the connection sent noreply requests before.
  protocol::SyncOperation sync;
  Outcome outcome = Outcome::pending;
  std::string error;
  /// Bytes of the request the kernel had not sent at the last look, once a
  /// reply was overdue (a slow link still draining the socket's buffer).
  std::optional<std::size_t> unsent_seen;

  /// The connection may serve another call.
  bool reusable() const { return outcome == Outcome::done && dispatcher.in_step(); }
  /// The server itself failed (not just its reply): mark it dead.
  bool server_failed() const { return outcome == Outcome::io_failed || outcome == Outcome::timed_out; }
};

/// Writes every exchange's requests and reads their replies, all connections
/// at once (one poll loop, so servers are served in parallel). A connection
/// that makes no progress for `timeout` fails with timed_out; bytes of its
/// request still leaving the kernel's send buffer count as progress.
void run_exchanges(Exchange* const* first, std::size_t count, std::chrono::milliseconds timeout);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_EXCHANGE_HPP
