#include "async/connection.hpp"

#include <asio/bind_executor.hpp>
#include <asio/connect.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include <memcache/error_code.hpp>

#include "async/get_batch.hpp"
#include "net/idle_check.hpp"
#include "protocol/requests.hpp"

namespace memcache::detail {

using Clock = std::chrono::steady_clock;
using generic = asio::generic::stream_protocol;

namespace {
// Keys in one batched get (python-memcached's get_multi sends all at once;
// memcached reads long get lines in pieces).
constexpr std::size_t keys_per_batch = 100;
}  // namespace

AsyncConnection::AsyncConnection(Strand strand, std::shared_ptr<const void> keep_alive, Host& host, Options options,
                                 Reroute reroute, Closed closed)
    : strand_(strand),
      keep_alive_(std::move(keep_alive)),
      host_(host),
      options_(std::move(options)),
      reroute_(std::move(reroute)),
      closed_(std::move(closed)),
      socket_(strand),
      resolver_(strand),
      timer_(strand),
      dispatcher_(options_.server_max_value_length) {
  dispatcher_.set_strict(true);
}

void AsyncConnection::shutdown() {
  if (state_ != State::failed) close(asio::error::operation_aborted, false);
}

void AsyncConnection::submit(AsyncRequest&& request) {
  if (state_ == State::failed) {
    reroute_(std::move(request), {}, false);
    return;
  }
  backlog_.push_back(std::move(request));
  if (state_ == State::idle) connect();
  pump();
}

void AsyncConnection::connect() {
  state_ = State::connecting;
  auto self = shared_from_this();
  timer_.expires_after(options_.connect_timeout);
  timer_armed_ = true;
  timer_.async_wait(asio::bind_executor(strand_, [self](const std::error_code& ec) {
    self->timer_armed_ = false;
    if (!ec && self->state_ == State::connecting) {
      self->fail(make_error_code(errc::timed_out),
                 fmt::format("connect: timed out after {} ms", self->options_.connect_timeout.count()), true);
    } else if (self->state_ == State::open) {
      // Cancelled by on_connected, or expired just as the connection was
      // made: what was written since needs its deadline watched.
      self->arm_timer();
    }
  }));
  const Address& a = host_.address();
  if (a.family == Address::Family::unix_socket) {
    socket_.async_connect(asio::local::stream_protocol::endpoint(a.path),
                          asio::bind_executor(strand_, [self](const std::error_code& ec) { self->on_connected(ec); }));
    return;
  }
  std::error_code not_numeric;
  const auto ip = asio::ip::make_address(a.host, not_numeric);
  if (!not_numeric) {
    // A numeric address needs no resolver (and no resolver thread).
    socket_.async_connect(generic::endpoint(asio::ip::tcp::endpoint(ip, a.port)),
                          asio::bind_executor(strand_, [self](const std::error_code& ec) { self->on_connected(ec); }));
    return;
  }
  auto on_resolved = [self](const std::error_code& ec, asio::ip::tcp::resolver::results_type results) {
    if (self->state_ != State::connecting) return;
    if (ec) {
      self->fail(make_error_code(errc::connection_failed), "resolve: " + ec.message(), true);
      return;
    }
    std::vector<generic::endpoint> endpoints;
    for (const auto& entry : results) endpoints.emplace_back(entry.endpoint());
    asio::async_connect(self->socket_, endpoints,
                        asio::bind_executor(self->strand_, [self](const std::error_code& e, const generic::endpoint&) {
                          self->on_connected(e);
                        }));
  };
  const auto port = std::to_string(a.port);
  if (a.family == Address::Family::inet6) {
    resolver_.async_resolve(asio::ip::tcp::v6(), a.host, port, asio::ip::resolver_base::numeric_service,
                            asio::bind_executor(strand_, on_resolved));
  } else {
    resolver_.async_resolve(a.host, port, asio::ip::resolver_base::numeric_service,
                            asio::bind_executor(strand_, on_resolved));
  }
}

void AsyncConnection::on_connected(const std::error_code& ec) {
  if (state_ != State::connecting) return;
  if (ec) {
    fail(make_error_code(errc::connection_failed), "connect: " + ec.message(), true);
    return;
  }
  timer_.cancel();
  state_ = State::open;
  if (host_.take_flush_due()) flush_first();
  if (host_.address().family != Address::Family::unix_socket) {
    std::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  pump();
}

void AsyncConnection::flush_first() {
  // python-memcached flushes a server that comes back (flush_on_reconnect),
  // so values written elsewhere while it was away cannot resurface as stale.
  // It goes ahead of everything queued here.
  auto op = std::make_shared<protocol::LineOperation>(protocol::LineOperation::flush());
  AsyncRequest r;
  r.done = [flush = op.get(), &host = host_](std::error_code ec) {
    if (ec || flush->type() != protocol::ReplyType::ok) {
      host.flush_due_again();
      host.log(fmt::format("{}: flush_all on reconnect failed: {}", host.address().to_string(),
                           ec ? ec.message() : flush->text()));
    }
  };
  r.op = op.get();
  r.owner = std::move(op);
  r.reroutable = false;  // it belongs to this connection; the next one flushes again
  protocol::encode_line(r.bytes, "flush_all");
  backlog_.push_front(std::move(r));
}

bool AsyncConnection::idle_ok() { return idle_socket_ok(socket_.native_handle(), unsynced_); }

void AsyncConnection::pump() {
  if (state_ != State::open || writing_ || retiring_) return;
  if (!reading_ && !backlog_.empty() && !idle_ok()) {
    if (!used_) {
      // Closed or talking before we said anything (e.g. memcached's "ERROR
      // Too many open connections"): the server is not usable now.
      fail(make_error_code(errc::connection_failed), "the server closed a new connection", true);
    } else {
      // Idle too long, or the server restarted: a fresh connection takes
      // what is queued here.
      close({}, false);
    }
    return;
  }
  const std::size_t limit = options_.max_requests_in_flight == 0 ? 1 : options_.max_requests_in_flight;
  const auto deadline = Clock::now() + options_.socket_timeout;
  while (!backlog_.empty() && in_flight_.size() < limit) {
    auto batch = take_get_batch(backlog_, keys_per_batch);
    AsyncRequest r = batch ? std::move(*batch) : std::move(backlog_.front());
    if (!batch) backlog_.pop_front();
    if (r.op && unsynced_) write_sync(deadline);
    write_buf_ += r.bytes;
    if (r.op) {
      dispatcher_.expect(*r.op);
      r.deadline = deadline;
      in_flight_.push_back(std::move(r));
    } else {
      unsynced_ = true;
      unanswered_.push_back(std::move(r));
    }
  }
  if (write_buf_.empty()) return;
  if (!in_flight_.empty() && !reading_) read();
  writing_ = true;
  used_ = true;
  write_deadline_ = deadline;
  asio::async_write(socket_, asio::buffer(write_buf_),
                    asio::bind_executor(strand_, [self = shared_from_this()](const std::error_code& ec, std::size_t) {
                      self->on_written(ec);
                    }));
  arm_timer();
}

void AsyncConnection::write_sync(Clock::time_point deadline) {
  // noreply requests are never confirmed, and memcached answers some bad ones
  // anyway: a `version` goes ahead of the next request that expects replies,
  // and whatever comes before VERSION is taken by it, never by that request.
  auto sync = std::make_shared<protocol::SyncOperation>();
  AsyncRequest r;
  r.done = [op = sync.get(), &host = host_](std::error_code ec) {
    if (!ec && op->errors() != 0) {
      host.log(fmt::format("{}: {} noreply request(s) failed: {}", host.address().to_string(), op->errors(),
                           op->last_error()));
    }
  };
  r.op = sync.get();
  r.owner = std::move(sync);
  r.deadline = deadline;
  protocol::encode_line(write_buf_, "version");
  dispatcher_.expect(*r.op);
  in_flight_.push_back(std::move(r));
  unsynced_ = false;
}

void AsyncConnection::on_written(const std::error_code& ec) {
  writing_ = false;
  if (state_ != State::open) return;
  if (ec) {
    fail(make_error_code(errc::connection_failed), "write: " + ec.message(), true);
    return;
  }
  write_buf_.clear();
  auto sent = std::move(unanswered_);
  unanswered_.clear();
  for (auto& r : sent) r.done({});
  if (retiring_ && in_flight_.empty()) {
    close({}, false);
    return;
  }
  if (!owed() && timer_armed_) timer_.cancel();
  pump();
}

void AsyncConnection::read() {
  // Reads only while replies are owed: an idle connection has no operation
  // outstanding, so io_context::run() returns once every call has completed.
  reading_ = true;
  const std::size_t have = read_buf_.data().size();
  const std::size_t want = dispatcher_.bytes_needed();
  read_buf_.reserve_tail(want > have ? std::max(want - have, ReadBuffer::initial_capacity / 2)
                                     : ReadBuffer::initial_capacity / 2);
  socket_.async_read_some(asio::buffer(read_buf_.write_ptr(), read_buf_.tail_room()),
                          asio::bind_executor(strand_, [self = shared_from_this()](const std::error_code& ec,
                                                                                   std::size_t n) {
                            self->on_read(ec, n);
                          }));
}

void AsyncConnection::on_read(const std::error_code& ec, std::size_t n) {
  reading_ = false;
  if (state_ != State::open) return;
  if (ec) {
    fail(make_error_code(errc::connection_failed),
         ec == asio::error::eof ? std::string("server closed the connection") : "read: " + ec.message(), true);
    return;
  }
  read_buf_.commit(n);
  try {
    read_buf_.consume(dispatcher_.consume(read_buf_.data()));
  } catch (const protocol::ProtocolError& e) {
    fail(make_error_code(errc::protocol_error), e.what(), false);
    return;
  }
  // After ERROR / CLIENT_ERROR the server may have skipped input: write
  // nothing more here, let what is in flight finish, then use a fresh
  // connection.
  if (!dispatcher_.in_step()) retiring_ = true;
  complete_answered();
  if (retiring_ && in_flight_.empty() && !writing_) {
    close({}, false);
    return;
  }
  if (!in_flight_.empty()) {
    // Progress: the new head gets a full timeout from now.
    in_flight_.front().deadline = std::max(in_flight_.front().deadline, Clock::now() + options_.socket_timeout);
  }
  if (!in_flight_.empty()) read();
  pump();
}

void AsyncConnection::complete_answered() {
  // The dispatcher has popped every operation whose last reply arrived; they
  // are the oldest requests in flight.
  std::size_t answered = in_flight_.size() - dispatcher_.pending();
  while (answered-- > 0) {
    AsyncRequest r = std::move(in_flight_.front());
    in_flight_.pop_front();
    r.done({});
  }
  // The timer only runs while a write or replies are owed.
  if (!owed() && timer_armed_) timer_.cancel();
}

AsyncConnection::Clock::time_point AsyncConnection::next_deadline() const {
  auto deadline = Clock::time_point::max();
  if (!in_flight_.empty()) deadline = in_flight_.front().deadline;
  if (writing_) deadline = std::min(deadline, write_deadline_);
  return deadline;
}

void AsyncConnection::arm_timer() {
  if (timer_armed_ || !owed()) return;
  timer_armed_ = true;
  timer_.expires_at(next_deadline());
  timer_.async_wait(asio::bind_executor(strand_, [self = shared_from_this()](const std::error_code& ec) {
    self->on_timer(ec);
  }));
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
  if (!owed()) return;
  if (Clock::now() >= next_deadline()) {
    const bool stuck_writing = writing_ && Clock::now() >= write_deadline_;
    fail(make_error_code(errc::timed_out),
         fmt::format("{} within {} ms", stuck_writing ? "could not write" : "no reply",
                     options_.socket_timeout.count()),
         true);
    return;
  }
  arm_timer();
}

void AsyncConnection::fail(std::error_code ec, const std::string& why, bool server_failed) {
  if (state_ == State::failed) return;
  if (server_failed) {
    host_.mark_dead(why);
  } else {
    host_.log(fmt::format("{}: {}", host_.address().to_string(), why));
  }
  close(ec, server_failed);
}

void AsyncConnection::close(std::error_code ec, bool server_failed) {
  // closed_ below may drop the engine's reference to this connection.
  auto self = shared_from_this();
  const bool was_open = state_ == State::open;
  state_ = State::failed;
  std::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
  resolver_.cancel();
  if (was_open) complete_answered();
  auto in_flight = std::move(in_flight_);
  auto unanswered = std::move(unanswered_);
  auto backlog = std::move(backlog_);
  in_flight_.clear();
  unanswered_.clear();
  backlog_.clear();
  closed_(this);
  for (auto& r : in_flight) r.done(ec);
  for (auto& r : unanswered) r.done(ec);
  for (auto& r : backlog) {
    if (r.reroutable) {
      reroute_(std::move(r), ec, server_failed);
    } else {
      r.done(ec ? ec : make_error_code(errc::connection_failed));
    }
  }
}

}  // namespace memcache::detail
