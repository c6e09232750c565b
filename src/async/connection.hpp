#ifndef MEMCACHE_SRC_ASYNC_CONNECTION_HPP
#define MEMCACHE_SRC_ASYNC_CONNECTION_HPP

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <memcache/options.hpp>

#include "async/pipeline.hpp"
#include "async/request.hpp"
#include "cluster/server_state.hpp"
#include "transport/async_stream.hpp"

namespace memcache::detail {

/// One pipelined connection to one server, driven on the engine's strand: it
/// connects, then moves bytes between the socket and its Pipeline, which
/// decides everything else (what to write, which reply answers which request,
/// what fails). On a timeout, a cut connection or a reply that makes no sense,
/// every request in flight fails and the connection closes for good; requests
/// never written are handed back for re-routing.
class AsyncConnection : public std::enable_shared_from_this<AsyncConnection> {
 public:
  using Strand = asio::strand<asio::any_io_executor>;
  using Clock = std::chrono::steady_clock;
  /// Takes back a request this connection never wrote; `server_failed` tells
  /// whether its server failed (route it elsewhere) or only this connection
  /// retired (send it on a fresh one).
  using Reroute = std::function<void(AsyncRequest&&, std::error_code, bool server_failed)>;
  using Closed = std::function<void(const AsyncConnection*)>;

  /// `keep_alive` owns `host` (the engine's topology).
  AsyncConnection(Strand strand, std::shared_ptr<const void> keep_alive, ServerState& host, Options options,
                  Reroute reroute, Closed closed);

  /// Queues a request; must run on the strand.
  void submit(AsyncRequest&& request);
  /// Closes the connection; requests still here fail with operation_aborted.
  void shutdown();
  /// For admin requests only (stats, flush_all): its failures do not mark
  /// the server dead.
  void serve_admin_only() { admin_ = true; }

 private:
  enum class State { idle, connecting, open, failed };

  void connect();
  void on_connected(const std::error_code& ec);
  void on_handshake(const std::error_code& ec);
  void on_open();
  void flush_first();
  void pump();
  void write_some(bool started);
  void on_written(const std::error_code& ec, std::size_t n);
  void read();
  void on_read(const std::error_code& ec, std::size_t n);
  void arm_timer();
  void on_timer(const std::error_code& ec);
  void fail(std::error_code ec, const std::string& why, bool server_failed);
  void close(std::error_code ec, bool server_failed);

  Strand strand_;
  std::shared_ptr<const void> keep_alive_;
  ServerState& host_;
  const Options options_;
  Reroute reroute_;
  Closed closed_;
  State state_ = State::idle;
  AsyncStream stream_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;
  Clock::time_point armed_for_{};
  bool reading_ = false;
  bool used_ = false;  // something was written on it
  bool handshaking_ = false;
  bool admin_ = false;
  Pipeline pipeline_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ASYNC_CONNECTION_HPP
