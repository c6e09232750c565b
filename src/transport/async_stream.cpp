#include "transport/async_stream.hpp"

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>

#include "transport/idle_check.hpp"

namespace memcache::detail {

AsyncStream::AsyncStream(const asio::any_io_executor& executor, TlsPeer* tls) : peer_(tls) {
  if (tls != nullptr) {
    tls_.emplace(executor, tls->context().asio_context());
  } else {
    plain_.emplace(executor);
  }
}

bool AsyncStream::idle_ok(bool unsynced) {
  if (!tls_) return idle_socket_ok(plain_->native_handle(), unsynced);
  // Only sync operations see this flag: they return would_block instead of
  // waiting. No async operation is under way when this runs.
  asio::error_code ec;
  tls_->next_layer().non_blocking(true, ec);
  if (ec) return false;
  char chunk[4096];
  for (;;) {
    const std::size_t n = tls_->read_some(asio::buffer(chunk), ec);
    if (ec) break;
    taken_.append(chunk, n);
  }
  if (ec != asio::error::would_block && ec != asio::error::try_again) {
    idle_error_ = ec;
    return false;
  }
  return taken_.empty() || unsynced;
}

std::size_t AsyncStream::read_ready(asio::mutable_buffer space) {
  asio::error_code ec;
  tls_->next_layer().non_blocking(true, ec);
  std::size_t total = 0;
  while (!ec && space.size() > 0) {
    const std::size_t n = tls_->read_some(space, ec);
    total += n;
    space += n;
  }
  return total;
}

bool AsyncStream::is_tls_error(const std::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) return true;
  return ec.category() == asio::ssl::error::get_stream_category() && ec != asio::ssl::error::stream_truncated;
}

std::string AsyncStream::describe(const std::error_code& ec) {
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "server closed the connection";
  if (!tls_ || !is_tls_error(ec)) return ec.message();
  return tls_failure(tls_->native_handle(), ec.message());
}

void AsyncStream::close() {
  asio::error_code ignored;
  socket().close(ignored);
}

}  // namespace memcache::detail
