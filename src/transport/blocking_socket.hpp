#ifndef MEMCACHE_SRC_TRANSPORT_BLOCKING_SOCKET_HPP
#define MEMCACHE_SRC_TRANSPORT_BLOCKING_SOCKET_HPP

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>

#include "cluster/address.hpp"
#include "support/read_buffer.hpp"
#include "transport/tls_channel.hpp"

struct pollfd;

namespace memcache::detail {

/// The sync client's byte stream to one server (TCP or unix socket): connect
/// within a timeout, write and read what the socket takes, close. It moves
/// bytes only; nothing here parses.
///
/// The socket blocks, with `io_timeout` as its receive timeout, so that a
/// call waiting on one connection needs one recv; every other operation
/// passes MSG_DONTWAIT and never blocks.
///
/// With `tls`, bytes go through a TlsChannel instead: the socket stays
/// non-blocking, a waiting read polls, and a read takes everything OpenSSL
/// has decrypted, so that poll never misses bytes already received.
class BlockingSocket {
 public:
  /// Resolves and connects within `timeout` (the TLS handshake included);
  /// throws IoError saying why not.
  BlockingSocket(asio::io_context& io, const Address& address, std::chrono::milliseconds timeout,
                 std::chrono::milliseconds io_timeout, TlsPeer* tls = nullptr);

  int native_handle() { return socket_.native_handle(); }
  const Address& address() const { return address_; }

  /// Sends what the socket takes now; 0 when it would block. Throws IoError.
  std::size_t write_some(std::string_view data);
  /// Reads what has arrived into `buffer`, making room for at least `wanted`
  /// bytes in all; false when nothing was there. With `wait` (only when
  /// can_wait()), waits up to `io_timeout` first. Throws IoError, also when
  /// the server closed the connection.
  bool read_some(ReadBuffer& buffer, std::size_t wanted, bool wait);
  /// The socket has a receive timeout, so a waiting read is bounded.
  bool can_wait() const { return can_wait_; }
  /// Whether a socket that is owed nothing may be used (see idle_socket_ok).
  bool idle_ok(bool unsynced);

 private:
  void set_receive_timeout(std::chrono::milliseconds io_timeout);
  bool read_tls(ReadBuffer& buffer, bool wait);

  asio::generic::stream_protocol::socket socket_;
  const Address& address_;
  std::chrono::milliseconds io_timeout_;
  bool can_wait_ = false;
  std::unique_ptr<TlsChannel> tls_;  // closed before the socket
};

/// Waits until a descriptor is ready, up to `timeout`: poll(2) with EINTR
/// handled. Returns poll's result count (0 on timeout).
int wait_ready(struct pollfd* fds, std::size_t count, std::chrono::milliseconds timeout);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_BLOCKING_SOCKET_HPP
