#include "async/connection.hpp"

#include <fmt/format.h>
#include <asio/bind_executor.hpp>
#include <asio/connect.hpp>
#include <asio/local/stream_protocol.hpp>

#include <memcache/error_code.hpp>

#include "commands/reconnect_flush.hpp"
#include "protocol/requests.hpp"
#include "transport/endpoints.hpp"
#include "transport/send_queue.hpp"

namespace memcache::detail {

using Clock = std::chrono::steady_clock;

namespace {

// A TLS alert (a client certificate refused, ...) says TLS; the rest is the
// connection's.
std::error_code io_error(const std::error_code& ec) {
  return make_error_code(AsyncStream::is_tls_error(ec) ? errc::tls_failed : errc::connection_failed);
}

}  // namespace

AsyncConnection::AsyncConnection(Strand strand, std::shared_ptr<const void> keep_alive, ServerState& host,
                                 Options options, Reroute reroute, Closed closed)
    : strand_(strand),
      keep_alive_(std::move(keep_alive)),
      host_(host),
      options_(std::move(options)),
      reroute_(std::move(reroute)),
      closed_(std::move(closed)),
      stream_(strand, host.tls()),
      resolver_(strand),
      timer_(strand),
      pipeline_(options_, [&host](std::string_view message) {
        host.log(fmt::format("{}: {}", host.address().to_string(), message));
      }) {}

void AsyncConnection::shutdown() {
  if (state_ != State::failed) close(asio::error::operation_aborted, false);
}

void AsyncConnection::submit(AsyncRequest&& request) {
  // pump() may close this connection, and closing empties the engine's slot
  // that owns it: it must outlive this call.
  const auto keep_alive = shared_from_this();
  if (state_ == State::failed) {
    reroute_(std::move(request), {}, false);
    return;
  }
  pipeline_.submit(std::move(request), Clock::now());
  if (state_ == State::idle) connect();
  pump();
  if (state_ == State::open) arm_timer();  // its wait is bounded too
}

void AsyncConnection::connect() {
  state_ = State::connecting;
  auto self = shared_from_this();
  timer_.expires_after(options_.connect_timeout);
  timer_armed_ = true;
  armed_for_ = Clock::now() + options_.connect_timeout;
  timer_.async_wait(asio::bind_executor(strand_, [self](const std::error_code& ec) {
    self->timer_armed_ = false;
    if (!ec && self->state_ == State::connecting && self->handshaking_) {
      self->fail(make_error_code(errc::tls_failed),
                 fmt::format("TLS handshake: timed out after {} ms (does the server speak TLS?)",
                             self->options_.connect_timeout.count()),
                 true);
    } else if (!ec && self->state_ == State::connecting) {
      self->fail(make_error_code(errc::timed_out),
                 fmt::format("connect: timed out after {} ms", self->options_.connect_timeout.count()), true);
    } else if (self->state_ == State::open) {
      // Cancelled by on_connected, or expired just as the connection was
      // made: what was written since needs its deadline watched.
      self->arm_timer();
    }
  }));
  const Address& a = host_.address();
  if (auto direct = direct_endpoint(a)) {
    stream_.socket().async_connect(
        *direct, asio::bind_executor(strand_, [self](const std::error_code& ec) { self->on_connected(ec); }));
    return;
  }
  async_resolve_endpoints(
      resolver_, a, asio::bind_executor(strand_, [self](const std::error_code& ec, std::vector<Endpoint> endpoints) {
        if (self->state_ != State::connecting) return;
        if (ec) {
          self->fail(make_error_code(errc::connection_failed), "resolve: " + ec.message(), true);
          return;
        }
        asio::async_connect(self->stream_.socket(), endpoints,
                            asio::bind_executor(self->strand_, [self](const std::error_code& e, const Endpoint&) {
                              self->on_connected(e);
                            }));
      }));
}

void AsyncConnection::on_connected(const std::error_code& ec) {
  if (state_ != State::connecting) return;
  if (ec) {
    fail(make_error_code(errc::connection_failed), "connect: " + ec.message(), true);
    return;
  }
  tune_socket(stream_.socket().native_handle(), host_.address());
  if (!stream_.is_tls()) {
    on_open();
    return;
  }
  // Still under the connect timer: connect_timeout bounds both.
  handshaking_ = true;
  stream_.async_handshake(
      asio::bind_executor(strand_, [self = shared_from_this()](const std::error_code& e) { self->on_handshake(e); }));
}

void AsyncConnection::on_handshake(const std::error_code& ec) {
  if (state_ != State::connecting) return;
  handshaking_ = false;
  if (ec) {
    fail(make_error_code(errc::tls_failed), "TLS handshake failed: " + stream_.describe(ec), true);
    return;
  }
  on_open();
}

void AsyncConnection::on_open() {
  timer_.cancel();
  state_ = State::open;
  if (host_.take_flush_due()) flush_first();
  pump();
}

void AsyncConnection::flush_first() {
  // Ahead of everything queued here (see ReconnectFlush).
  auto flush = std::make_shared<ReconnectFlush>();
  AsyncRequest r;
  flush->encode(r.bytes);
  r.op = flush.get();
  r.owner = flush;
  r.done = [flush, &host = host_](std::error_code ec) {
    if (ec || !flush->ok()) {
      host.flush_due_again();
      host.log(fmt::format("{}: {}", host.address().to_string(), flush->failure(ec ? ec.message() : "")));
    }
  };
  r.reroutable = false;  // it belongs to this connection; the next one flushes again
  pipeline_.submit_first(std::move(r), Clock::now());
}

void AsyncConnection::pump() {
  if (state_ != State::open || !pipeline_.can_write()) return;
  if (!reading_ && !stream_.idle_ok(pipeline_.unsynced())) {
    if (!used_) {
      // Closed or talking before we said anything (e.g. memcached's "ERROR
      // Too many open connections"): the server is not usable now.
      const std::error_code why = stream_.idle_error();
      if (AsyncStream::is_tls_error(why)) {
        // TLS 1.3 refuses a client certificate after the handshake.
        fail(make_error_code(errc::tls_failed), "TLS: " + stream_.describe(why), true);
      } else {
        fail(make_error_code(errc::connection_failed), "the server closed a new connection", true);
      }
    } else {
      // Idle too long, or the server restarted: a fresh connection takes
      // what is queued here.
      close({}, false);
    }
    return;
  }
  pipeline_.prepare_write(Clock::now());
  if (pipeline_.wants_read() && !reading_) read();
  used_ = true;
  write_some(false);
  arm_timer();
}

void AsyncConnection::write_some(bool started) {
  // Piece by piece, so that the pipeline sees the bytes move (a long write
  // times out only when it stalls).
  // 16 KiB (a TLS record) at a time: each piece moves within socket_timeout
  // on any link worth using.
  constexpr std::size_t piece = 16 * 1024;
  const std::string_view bytes = pipeline_.unwritten();
  // Over TLS, a write cut into pieces still ends with its last byte in a
  // record of its own (tls_write_cut): `started` says it continues.
  stream_.async_write(
      asio::buffer(bytes.data(), std::min(bytes.size(), piece)), started,
      asio::bind_executor(
          strand_, [self = shared_from_this()](const std::error_code& ec, std::size_t n) { self->on_written(ec, n); }));
}

void AsyncConnection::on_written(const std::error_code& ec, std::size_t n) {
  if (state_ != State::open) return;
  if (ec) {
    fail(io_error(ec), "write: " + stream_.describe(ec), true);
    return;
  }
  pipeline_.on_written(n, Clock::now());
  if (pipeline_.writing()) {
    write_some(true);
    return;
  }
  if (pipeline_.retired()) {
    close({}, false);
    return;
  }
  // The timer only runs while a write or replies are owed.
  if (!pipeline_.deadline() && timer_armed_) timer_.cancel();
  pump();
}

void AsyncConnection::read() {
  // Reads only while replies are owed: an idle connection has no operation
  // outstanding, so io_context::run() returns once every call has completed.
  reading_ = true;
  const auto space = pipeline_.read_space();
  stream_.async_read_some(
      asio::buffer(space.data, space.size),
      asio::bind_executor(
          strand_, [self = shared_from_this()](const std::error_code& ec, std::size_t n) { self->on_read(ec, n); }));
}

void AsyncConnection::on_read(const std::error_code& ec, std::size_t n) {
  reading_ = false;
  if (state_ != State::open) return;
  if (ec) {
    fail(io_error(ec), "read: " + stream_.describe(ec), true);
    return;
  }
  if (auto nonsense = pipeline_.on_read(n, Clock::now())) {
    fail(make_error_code(errc::protocol_error), *nonsense, false);
    return;
  }
  host_.mark_alive();  // ends a probe of a dead server
  if (!pipeline_.deadline() && timer_armed_) timer_.cancel();
  if (pipeline_.retired()) {
    close({}, false);
    return;
  }
  if (pipeline_.wants_read()) read();
  pump();
}

void AsyncConnection::arm_timer() {
  const auto deadline = pipeline_.deadline();
  if (!deadline) return;
  if (timer_armed_) {
    // An earlier deadline (a write behind a long-waiting request): the
    // cancelled wait re-arms for it.
    if (*deadline < armed_for_) timer_.cancel();
    return;
  }
  timer_armed_ = true;
  armed_for_ = *deadline;
  timer_.expires_at(*deadline);
  timer_.async_wait(
      asio::bind_executor(strand_, [self = shared_from_this()](const std::error_code& ec) { self->on_timer(ec); }));
}

void AsyncConnection::on_timer(const std::error_code& ec) {
  timer_armed_ = false;
  if (state_ != State::open) return;
  if (ec) {
    // Cancelled (connected, or nothing owed): requests written since then
    // still need their deadline watched.
    arm_timer();
    return;
  }
  const auto now = Clock::now();
  // Requests that waited too long behind others fail alone.
  pipeline_.expire_queued(now);
  auto expired = pipeline_.timed_out(now);
  if (expired == Pipeline::Expired::reply) {
    // Its bytes may still be leaving a slow link from the kernel's buffer.
    const auto queue = send_queue(stream_.socket().native_handle());
    if (queue && pipeline_.still_sending(*queue, now)) expired = Pipeline::Expired::nothing;
  }
  if (expired == Pipeline::Expired::nothing) {
    arm_timer();  // the deadline moved on, or nothing is owed any more
    return;
  }
  fail(make_error_code(errc::timed_out),
       fmt::format("{} within {} ms", expired == Pipeline::Expired::write ? "could not write" : "no reply",
                   options_.socket_timeout.count()),
       true);
}

void AsyncConnection::fail(std::error_code ec, const std::string& why, bool server_failed) {
  if (state_ == State::failed) return;
  if (server_failed && !admin_) {
    host_.mark_dead(why);
  } else {
    host_.log(fmt::format("{}: {}", host_.address().to_string(), why));
  }
  close(ec, server_failed);
}

void AsyncConnection::close(std::error_code ec, bool server_failed) {
  // closed_ below may drop the engine's reference to this connection.
  auto self = shared_from_this();
  state_ = State::failed;
  stream_.close();
  timer_.cancel();
  resolver_.cancel();
  closed_(this);
  for (auto& r : pipeline_.fail(ec)) reroute_(std::move(r), ec, server_failed);
}

}  // namespace memcache::detail
