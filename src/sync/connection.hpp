#ifndef MEMCACHE_SRC_SYNC_CONNECTION_HPP
#define MEMCACHE_SRC_SYNC_CONNECTION_HPP

#include <chrono>
#include <cstddef>
#include <string>

#include <asio/io_context.hpp>

#include "cluster/address.hpp"
#include "protocol/dispatcher.hpp"
#include "support/read_buffer.hpp"
#include "transport/blocking_socket.hpp"

namespace memcache::detail {

/// A pooled connection of the sync client: its socket, the bytes read and
/// not yet parsed, and the memory an exchange reuses on it call after call
/// (request bytes, the dispatcher's queue), so that a call allocates nothing.
class Connection {
 public:
  /// Connects within `timeout`; throws IoError saying why not.
  Connection(asio::io_context& io, const Address& address, std::chrono::milliseconds timeout,
             std::chrono::milliseconds io_timeout, TlsPeer* tls = nullptr)
      : socket_(io, address, timeout, io_timeout, tls) {}

  BlockingSocket& socket() { return socket_; }
  const Address& address() const { return socket_.address(); }
  ReadBuffer& buffer() { return buffer_; }
  std::string& request_buffer() { return request_; }
  protocol::Dispatcher& dispatcher() { return dispatcher_; }

  /// For a connection taken from a pool: nothing has arrived on it since its
  /// last exchange, except errors answered to noreply requests when it is
  /// unsynced. Other bytes (replies nobody waits for) or EOF (the server went
  /// away or restarted) mean it must not be used. Keeping an unsynced one
  /// with error bytes waiting matters: dropping it could lose noreply
  /// requests the server had not read yet.
  bool idle_ok() { return buffer_.empty() && socket_.idle_ok(unsynced_); }
  /// Requests went out with noreply since the last reply was read: the server
  /// may still owe error lines for them (see protocol::SyncOperation).
  bool unsynced() const { return unsynced_; }
  void set_unsynced(bool unsynced) { unsynced_ = unsynced; }

 private:
  BlockingSocket socket_;
  ReadBuffer buffer_;
  std::string request_;
  protocol::Dispatcher dispatcher_{0};
  bool unsynced_ = false;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_CONNECTION_HPP
