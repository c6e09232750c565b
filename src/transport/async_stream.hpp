#ifndef MEMCACHE_SRC_TRANSPORT_ASYNC_STREAM_HPP
#define MEMCACHE_SRC_TRANSPORT_ASYNC_STREAM_HPP

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/bind_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/post.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include "transport/tls_context.hpp"
#include "transport/tls_records.hpp"

namespace memcache::detail {

/// The async client's byte stream to one server: a plain socket, or
/// asio::ssl::stream over it when the server has a TlsPeer. The connection
/// calls the same operations either way; only connecting differs (a TLS
/// stream needs handshake() once the socket is connected).
class AsyncStream {
 public:
  using Socket = asio::generic::stream_protocol::socket;

  AsyncStream(const asio::any_io_executor& executor, TlsPeer* tls);

  /// The socket underneath, to connect and tune.
  Socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  bool is_tls() const { return tls_.has_value(); }

  /// The client handshake (TLS only), with SNI, name checks and the
  /// server's last session set up first.
  template <class Handler>
  void async_handshake(Handler&& handler) {
    peer_->prepare(tls_->native_handle());
    tls_->async_handshake(asio::ssl::stream_base::client, std::forward<Handler>(handler));
  }

  /// Writes all of `bytes`: `handler(error_code, n)`. Over TLS, records
  /// are cut as tls_write_cut says; `started`: these bytes continue a write
  /// whose first part went out just before.
  template <class Handler>
  void async_write(asio::const_buffer bytes, bool started, Handler&& handler) {
    if (!tls_) {
      asio::async_write(*plain_, bytes, std::forward<Handler>(handler));
      return;
    }
    const std::size_t first = tls_write_cut(bytes.size(), started);
    if (first == bytes.size()) {
      asio::async_write(*tls_, bytes, std::forward<Handler>(handler));
      return;
    }
    auto executor = asio::get_associated_executor(handler, socket().get_executor());
    asio::async_write(*tls_, asio::buffer(bytes.data(), first),
                      asio::bind_executor(executor, [this, executor, bytes, first, h = std::forward<Handler>(handler)](
                                                        const std::error_code& ec, std::size_t n) mutable {
                        if (ec) {
                          h(ec, n);
                          return;
                        }
                        asio::async_write(
                            *tls_, asio::buffer(bytes + first),
                            asio::bind_executor(
                                executor, [first, h = std::move(h)](const std::error_code& e,
                                                                    std::size_t last) mutable { h(e, first + last); }));
                      }));
  }

  /// `handler(error_code, n)`; bytes idle_ok() had to take are given first.
  template <class Handler>
  void async_read_some(asio::mutable_buffer space, Handler&& handler) {
    if (!taken_.empty()) {
      const std::size_t n = std::min(space.size(), taken_.size());
      std::memcpy(space.data(), taken_.data(), n);
      taken_.erase(0, n);
      auto executor = asio::get_associated_executor(handler, socket().get_executor());
      asio::post(executor, [h = std::forward<Handler>(handler), n]() mutable { h(std::error_code(), n); });
    } else if (tls_) {
      // One TLS read gives one record; what else has arrived is taken now,
      // so that a burst of replies completes as one read (and the requests
      // it frees go out as one write, not one record each).
      auto executor = asio::get_associated_executor(handler, socket().get_executor());
      tls_->async_read_some(space, asio::bind_executor(executor, [this, space, h = std::forward<Handler>(handler)](
                                                                     const std::error_code& ec, std::size_t n) mutable {
                              if (!ec) n += read_ready(space + n);
                              h(ec, n);
                            }));
    } else {
      plain_->async_read_some(space, std::forward<Handler>(handler));
    }
  }

  /// Whether a connection owed nothing may be used (see idle_socket_ok).
  /// Over TLS this reads, without waiting, what has arrived: session tickets
  /// are processed, and plaintext is kept for the next read.
  bool idle_ok(bool unsynced);
  /// Why idle_ok() last said no over TLS (an alert, EOF), if it read an error.
  const std::error_code& idle_error() const { return idle_error_; }

  /// Whether `ec`, from a read, write or handshake, is TLS's own (an alert, a
  /// certificate refused) rather than the connection's.
  static bool is_tls_error(const std::error_code& ec);
  /// What went wrong, with the certificate check's reason when it failed.
  std::string describe(const std::error_code& ec);

  void close();

 private:
  /// Reads into `space`, without waiting, what OpenSSL and the socket hold
  /// already (TLS only); errors are left for the next read to meet.
  std::size_t read_ready(asio::mutable_buffer space);

  TlsPeer* peer_;
  std::optional<Socket> plain_;
  std::optional<asio::ssl::stream<Socket>> tls_;
  std::string taken_;
  std::error_code idle_error_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_ASYNC_STREAM_HPP
