#ifndef MEMCACHE_SRC_NET_CONNECTION_HPP
#define MEMCACHE_SRC_NET_CONNECTION_HPP

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>

#include "cluster/address.hpp"
#include "support/read_buffer.hpp"
#include "protocol/dispatcher.hpp"

namespace memcache::detail {

/// One open socket to a memcached server (TCP or unix), and the bytes read
/// from it. It moves bytes only; replies are parsed elsewhere.
///
/// The socket itself blocks, with `io_timeout` as its receive timeout, so that
/// a call waiting on one connection only needs one recv; every other
/// operation passes MSG_DONTWAIT and never blocks.
class Connection {
 public:
  /// Resolves and connects within `timeout`; throws IoError saying why not.
  Connection(asio::io_context& io, const Address& address, std::chrono::milliseconds timeout,
             std::chrono::milliseconds io_timeout);

  int native_handle() { return socket_.native_handle(); }

  /// Sends what the socket takes now; 0 when it would block. Throws IoError.
  std::size_t write_some(std::string_view data);
  /// Reads what has arrived into `buffer()`, making room for at least
  /// `wanted` bytes in all; false when nothing was there. Throws IoError,
  /// also when the server closed the connection.
  bool read_some(std::size_t wanted);
  /// As read_some, but waits up to `io_timeout` for bytes to arrive; false
  /// when none did. Only when `can_wait()`.
  bool read_wait(std::size_t wanted);
  /// The socket has a receive timeout, so read_wait is bounded.
  bool can_wait() const { return can_wait_; }

  ReadBuffer& buffer() { return buffer_; }
  /// Request bytes and the replies owed, kept here so that each exchange on
  /// this connection reuses their memory instead of allocating its own.
  std::string& request_buffer() { return request_; }
  protocol::Dispatcher& dispatcher() { return dispatcher_; }
  /// The keys of the retrievals in flight, likewise reused.
  std::vector<std::string_view>& sent_keys() { return sent_keys_; }
  const Address& address() const { return address_; }

  /// For a connection taken from a pool: nothing has arrived on it since its
  /// last exchange, except errors answered to noreply requests when it is
  /// unsynced. Other bytes (replies nobody waits for) or EOF (the server went
  /// away or restarted) mean it must not be used.
  bool idle_ok();
  /// Requests went out with noreply since the last reply was read: the server
  /// may still owe error lines for them (see protocol::SyncOperation).
  bool unsynced() const { return unsynced_; }
  void set_unsynced(bool unsynced) { unsynced_ = unsynced; }

 private:
  asio::generic::stream_protocol::socket socket_;
  const Address& address_;
  void set_receive_timeout(std::chrono::milliseconds io_timeout);
  bool read_into_buffer(std::size_t wanted, int flags);

  ReadBuffer buffer_;
  std::string request_;
  protocol::Dispatcher dispatcher_{0};
  std::vector<std::string_view> sent_keys_;
  bool unsynced_ = false;
  bool can_wait_ = false;
};

/// Waits until a descriptor is ready, up to `timeout`: poll(2) with EINTR
/// handled. Returns poll's result count (0 on timeout).
int wait_ready(struct pollfd* fds, std::size_t count, std::chrono::milliseconds timeout);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_NET_CONNECTION_HPP
