#include "sync/exchange.hpp"

#include <poll.h>

#include <fmt/format.h>

#include "transport/io_error.hpp"
#include "transport/send_queue.hpp"

namespace memcache::detail {

Exchange::Exchange(Connection& connection, std::size_t max_value)
    : conn(&connection), request(connection.request_buffer()), dispatcher(connection.dispatcher()) {
  // One large call once must not pin its size on a pooled connection, nor
  // one large value read once (values up to max_value_read_length).
  constexpr std::size_t kept_bytes = 64 * 1024;
  constexpr std::size_t kept_read_bytes = 1024 * 1024;
  if (request.capacity() > kept_bytes) {
    std::string().swap(request);
  } else {
    request.clear();
  }
  connection.buffer().release_if_over(kept_read_bytes);
  dispatcher.reset(max_value);
}

namespace {

using Clock = std::chrono::steady_clock;

// Few calls talk to more servers than this: their poll set lives on the stack.
constexpr std::size_t inline_fds = 8;

bool finished(const Exchange& x) { return x.written == x.request.size() && x.dispatcher.idle(); }

void complete_if_finished(Exchange& x) {
  if (!finished(x)) return;
  if (!x.conn->buffer().empty()) {
    x.outcome = Exchange::Outcome::protocol_failed;
    x.error = fmt::format("{} sent bytes nobody asked for", x.conn->address().to_string());
    return;
  }
  x.outcome = Exchange::Outcome::done;
}

// Each step returns whether bytes moved; errors end the exchange.
bool write_step(Exchange& x) {
  bool progress = false;
  while (x.written < x.request.size()) {
    std::size_t n = x.conn->socket().write_some(std::string_view(x.request).substr(x.written));
    if (n == 0) break;
    x.written += n;
    progress = true;
  }
  return progress;
}

bool read_step(Exchange& x) {
  ReadBuffer& buf = x.conn->buffer();
  if (!x.conn->socket().read_some(buf, x.dispatcher.bytes_needed(), false)) return false;
  buf.consume(x.dispatcher.consume(buf.data()));
  return true;
}

// One connection with its requests all written: blocking reads, each bounded
// by the socket's receive timeout, so the common case is one recv and no poll.
bool wait_step(Exchange& x) {
  ReadBuffer& buf = x.conn->buffer();
  while (!x.dispatcher.idle()) {
    if (!x.conn->socket().read_some(buf, x.dispatcher.bytes_needed(), true)) return false;
    buf.consume(x.dispatcher.consume(buf.data()));
  }
  return true;
}

// All written, no reply yet: but a request still leaving a slow link from
// the kernel's send buffer is being sent, not waiting. True while those bytes
// move: fewer are left than at the last look (the first look cannot tell: it
// says yes), and over TCP the peer acknowledged something within `timeout`
// (a blackhole is seen at the first look).
bool still_leaving(Exchange& x, std::chrono::milliseconds timeout) {
  if (x.written < x.request.size()) return false;  // the poll loop watches writes itself
  const auto queue = send_queue(x.conn->socket().native_handle());
  if (!queue || queue->unsent == 0) return false;
  const bool acked = !queue->since_ack || *queue->since_ack < timeout;
  const bool moved = acked && (!x.unsent_seen || queue->unsent < *x.unsent_seen);
  x.unsent_seen = queue->unsent;
  return moved;
}

void time_out(Exchange& x, std::chrono::milliseconds timeout) {
  x.outcome = Exchange::Outcome::timed_out;
  x.error = fmt::format("{}: no reply within {} ms", x.conn->address().to_string(), timeout.count());
}

template <class Step>
bool guarded(Exchange& x, Step step) {
  try {
    bool progress = step(x);
    complete_if_finished(x);
    return progress;
  } catch (const IoError& e) {
    x.outcome = Exchange::Outcome::io_failed;
    x.error = e.what();
  } catch (const protocol::TooManyConnections& e) {
    x.outcome = Exchange::Outcome::refused;
    x.error = fmt::format("{}: {}", x.conn->address().to_string(), e.what());
  } catch (const protocol::ProtocolError& e) {
    x.outcome = Exchange::Outcome::protocol_failed;
    x.error = fmt::format("{}: {}", x.conn->address().to_string(), e.what());
  }
  return true;
}

}  // namespace

void run_exchanges(Exchange* const* first, std::size_t count, std::chrono::milliseconds timeout) {
  Exchange* const* const last = first + count;
  // noreply requests are never confirmed, and memcached answers some bad ones
  // anyway: after them, a `version` goes ahead of the next requests that
  // expect replies, and whatever comes before VERSION is theirs. The exchange
  // then either reads every reply or the connection is closed: in step both ways.
  for (Exchange* const* it = first; it != last; ++it) {
    Exchange* x = *it;
    if (x->dispatcher.idle()) {
      if (!x->request.empty()) x->conn->set_unsynced(true);
    } else if (x->conn->unsynced()) {
      x->request.insert(0, "version\r\n");
      x->dispatcher.expect_first(x->sync);
      x->conn->set_unsynced(false);
    }
  }
  // Write first without waiting: a fresh socket almost always has room.
  for (Exchange* const* it = first; it != last; ++it) guarded(**it, write_step);

  // A single connection whose requests all went out waits in recv. (With
  // requests still to write it must poll: the server may be blocked writing
  // replies we are not reading.)
  if (count == 1) {
    Exchange& x = *first[0];
    if (x.outcome == Exchange::Outcome::pending && x.written == x.request.size() && x.conn->socket().can_wait()) {
      while (!guarded(x, wait_step)) {
        if (!still_leaving(x, timeout)) {
          time_out(x, timeout);
          return;
        }
      }
      return;
    }
  }

  fmt::basic_memory_buffer<pollfd, inline_fds> fds;
  fmt::basic_memory_buffer<Exchange*, inline_fds> active;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    fds.clear();
    active.clear();
    for (Exchange* const* it = first; it != last; ++it) {
      Exchange* x = *it;
      if (x->outcome != Exchange::Outcome::pending) continue;
      short events = POLLIN;  // always read, so a server blocked on writing replies never stalls us
      if (x->written < x->request.size()) events |= POLLOUT;
      fds.push_back(pollfd{x->conn->socket().native_handle(), events, 0});
      active.push_back(x);
    }
    if (active.size() == 0) return;

    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int ready = left.count() > 0 ? wait_ready(fds.data(), fds.size(), left) : 0;
    if (ready == 0) {
      bool leaving = false;
      for (Exchange* x : active) leaving |= still_leaving(*x, timeout);
      if (leaving) {
        deadline = Clock::now() + timeout;
        continue;
      }
      for (Exchange* x : active) time_out(*x, timeout);
      return;
    }
    bool progress = false;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      Exchange& x = *active[i];
      if (fds[i].revents & POLLOUT) progress |= guarded(x, write_step);
      if (x.outcome == Exchange::Outcome::pending && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        progress |= guarded(x, read_step);
      }
    }
    if (progress) deadline = Clock::now() + timeout;
  }
}

}  // namespace memcache::detail
