#include "transport/blocking_socket.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "transport/endpoints.hpp"
#include "transport/idle_check.hpp"
#include "transport/io_error.hpp"

namespace memcache::detail {
namespace {

using Clock = std::chrono::steady_clock;
using generic = asio::generic::stream_protocol;

// A non-blocking connect bounded by `timeout` (Asio's own sync connect waits
// without limit).
void connect_with_timeout(generic::socket& s, const generic::endpoint& ep, std::chrono::milliseconds timeout,
                          const Address& a) {
  asio::error_code ec;
  s.open(ep.protocol(), ec);
  if (!ec) s.non_blocking(true, ec);
  if (ec) throw IoError(fmt::format("cannot open a socket for {}: {}", a.to_string(), ec.message()));
  int rc = ::connect(s.native_handle(), static_cast<const sockaddr*>(ep.data()), static_cast<socklen_t>(ep.size()));
  if (rc != 0 && errno != EINPROGRESS && errno != EAGAIN) {
    throw IoError(fmt::format("connect to {}: {}", a.to_string(), std::strerror(errno)));
  }
  if (rc != 0) {
    pollfd p{s.native_handle(), POLLOUT, 0};
    int ready = wait_ready(&p, 1, timeout);
    if (ready == 0) throw IoError(fmt::format("connect to {}: timed out after {} ms", a.to_string(), timeout.count()));
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(s.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) throw IoError(fmt::format("connect to {}: {}", a.to_string(), std::strerror(err)));
  }
}

}  // namespace

int wait_ready(pollfd* fds, std::size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) left = 0;
    int rc = ::poll(fds, static_cast<nfds_t>(count), static_cast<int>(left));
    if (rc >= 0) return rc;
    if (errno != EINTR) throw IoError(fmt::format("poll: {}", std::strerror(errno)));
  }
}

BlockingSocket::BlockingSocket(asio::io_context& io, const Address& address, std::chrono::milliseconds timeout,
                               std::chrono::milliseconds io_timeout, TlsPeer* tls)
    : socket_(io), address_(address), io_timeout_(io_timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string last_error;
  for (const auto& ep : resolve_endpoints(io, address)) {
    try {
      connect_with_timeout(socket_, ep, timeout, address);
      tune_socket(socket_.native_handle(), address);
      if (tls != nullptr) {
        tls_ = std::make_unique<TlsChannel>(socket_.native_handle(), *tls, address);
        tls_->handshake(deadline);
        can_wait_ = true;  // read_tls polls
      } else {
        set_receive_timeout(io_timeout);
      }
      return;
    } catch (const IoError& e) {
      last_error = e.what();
      tls_.reset();
      asio::error_code ignored;
      socket_.close(ignored);
    }
  }
  throw IoError(last_error);
}

void BlockingSocket::set_receive_timeout(std::chrono::milliseconds io_timeout) {
  // A zero timeout would mean "wait forever" to SO_RCVTIMEO: such a socket
  // stays non-blocking and every wait goes through poll.
  if (io_timeout.count() <= 0) return;
  const auto ms = io_timeout.count();
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return;
  asio::error_code ec;
  socket_.non_blocking(false, ec);
  can_wait_ = !ec;
}

std::size_t BlockingSocket::write_some(std::string_view data) {
  if (tls_) return tls_->write_some(data);
  for (;;) {
    const ssize_t n = ::send(socket_.native_handle(), data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno != EINTR) throw IoError(fmt::format("write to {}: {}", address_.to_string(), std::strerror(errno)));
  }
}

bool BlockingSocket::idle_ok(bool unsynced) {
  return tls_ ? tls_->idle_ok(unsynced) : idle_socket_ok(socket_.native_handle(), unsynced);
}

// With flags 0 the recv blocks up to SO_RCVTIMEO and then fails with EAGAIN,
// as a non-blocking one does at once: either way, false.
bool BlockingSocket::read_some(ReadBuffer& buffer, std::size_t wanted, bool wait) {
  buffer.reserve_for(wanted);
  if (tls_) return read_tls(buffer, wait);
  const int flags = wait ? 0 : MSG_DONTWAIT;
  for (;;) {
    const ssize_t n = ::recv(socket_.native_handle(), buffer.write_ptr(), buffer.tail_room(), flags);
    if (n > 0) {
      buffer.commit(static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) throw IoError(fmt::format("{} closed the connection", address_.to_string()));
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    if (errno != EINTR) throw IoError(fmt::format("read from {}: {}", address_.to_string(), std::strerror(errno)));
  }
}

// Takes every byte OpenSSL holds, so the next poll sees all that is left.
bool BlockingSocket::read_tls(ReadBuffer& buffer, bool wait) {
  const auto deadline = Clock::now() + io_timeout_;
  bool got = false;
  for (;;) {
    const std::size_t n = tls_->read_some(buffer.write_ptr(), buffer.tail_room());
    if (n > 0) {
      buffer.commit(n);
      got = true;
      if (buffer.tail_room() == 0) {
        // Full: stop here unless OpenSSL holds more (the socket keeps the rest).
        if (!tls_->pending()) return true;
        buffer.reserve_tail(ReadBuffer::initial_capacity / 2);
      }
      continue;
    }
    if (got || !wait) return got;
    // Nothing yet, or only part of a record (or a session ticket): wait.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{socket_.native_handle(), POLLIN, 0};
    if (left.count() <= 0 || wait_ready(&p, 1, left) == 0) return false;
  }
}

}  // namespace memcache::detail
