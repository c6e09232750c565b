#include "transport/tls_channel.hpp"

#include <poll.h>

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fmt/format.h>

#include "transport/blocking_socket.hpp"
#include "transport/io_error.hpp"
#include "transport/tls_records.hpp"

namespace memcache::detail {
namespace {

int clamp(std::size_t n) { return n > 1U << 30 ? 1 << 30 : static_cast<int>(n); }

}  // namespace

TlsChannel::TlsChannel(int fd, TlsPeer& peer, const Address& address)
    : ssl_(SSL_new(peer.context().asio_context().native_handle()), SSL_free), fd_(fd), address_(address) {
  if (!ssl_) throw IoError(fmt::format("TLS to {}: {}", address.to_string(), openssl_reason("cannot create SSL")));
  SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_fd(ssl_.get(), fd);
  SSL_set_connect_state(ssl_.get());
  peer.prepare(ssl_.get());
}

TlsChannel::~TlsChannel() {
  // A close_notify when the socket takes it at once; never waits.
  if (SSL_is_init_finished(ssl_.get()) == 1) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
  }
}

void TlsChannel::handshake(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_do_handshake(ssl_.get());
    if (rc == 1) return;
    const int err = SSL_get_error(ssl_.get(), rc);
    short events = 0;
    if (err == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (err == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else {
      std::string reason = err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0
                               ? std::string(errno != 0 ? std::strerror(errno) : "the server closed the connection")
                               : openssl_reason("handshake failed");
      throw IoError(
          fmt::format("TLS handshake with {} failed: {}", address_.to_string(), tls_failure(ssl_.get(), reason)));
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, events, 0};
    if (left.count() <= 0 || wait_ready(&p, 1, left) == 0) {
      throw IoError(fmt::format("TLS handshake with {} failed: timed out (does it speak TLS?)", address_.to_string()));
    }
  }
}

std::size_t TlsChannel::write_some(std::string_view data) {
  if (data.empty()) return 0;
  ERR_clear_error();
  errno = 0;
  const std::size_t now = tls_write_cut(data.size(), writing_);
  const int rc = SSL_write(ssl_.get(), data.data(), clamp(now));
  if (rc > 0) {
    writing_ = static_cast<std::size_t>(rc) < data.size();
    return static_cast<std::size_t>(rc);
  }
  const int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
  fail(err, "write to");
}

std::size_t TlsChannel::read_some(char* out, std::size_t size) {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_read(ssl_.get(), out, clamp(size));
  if (rc > 0) return static_cast<std::size_t>(rc);
  const int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
  fail(err, "read from");
}

void TlsChannel::fail(int ssl_error, std::string_view doing) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN || (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0)) {
    ERR_clear_error();
    throw IoError(fmt::format("{} closed the connection", address_.to_string()));
  }
  if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    const int cause = errno;
    // A server that refuses this client after the handshake (TLS 1.3 checks
    // the client certificate then) sends an alert and closes; a write may
    // meet the reset first, while the alert still waits to be read.
    std::string alert = pending_alert();
    if (!alert.empty()) throw IoError(fmt::format("TLS {} {}: {}", doing, address_.to_string(), alert));
    throw IoError(fmt::format("{} {}: {}", doing, address_.to_string(), std::strerror(cause)));
  }
  throw IoError(fmt::format("TLS {} {}: {}", doing, address_.to_string(), openssl_reason("TLS error")));
}

std::string TlsChannel::pending_alert() {
  char byte = 0;
  ERR_clear_error();
  const int rc = SSL_read(ssl_.get(), &byte, 1);
  if (rc > 0 || SSL_get_error(ssl_.get(), rc) != SSL_ERROR_SSL) {
    ERR_clear_error();
    return {};
  }
  return openssl_reason("");
}

bool TlsChannel::pending() const { return SSL_has_pending(ssl_.get()) == 1; }

bool TlsChannel::idle_ok(bool unsynced) {
  char byte = 0;
  ERR_clear_error();
  const int rc = SSL_peek(ssl_.get(), &byte, 1);
  if (rc > 0) return unsynced;
  const int err = SSL_get_error(ssl_.get(), rc);
  ERR_clear_error();
  return err == SSL_ERROR_WANT_READ;
}

}  // namespace memcache::detail
