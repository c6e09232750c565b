#ifndef MEMCACHE_SRC_ASYNC_PIPELINE_HPP
#define MEMCACHE_SRC_ASYNC_PIPELINE_HPP

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <memcache/options.hpp>

#include "async/request.hpp"
#include "protocol/dispatcher.hpp"
#include "support/read_buffer.hpp"

namespace memcache::detail {

/// What one pipelined connection does next, as a state machine with no I/O
/// and no clock of its own (time comes in as `now`), so that every decision
/// is unit-tested without a server: which requests to write (back to back,
/// up to `max_requests_in_flight`, single-key gets batched, a `version` ahead
/// of the first request expecting replies after noreply ones), which request
/// each reply answers, when a reply is overdue, and who fails or is rerouted
/// when the connection ends. AsyncConnection only moves the bytes.
///
/// A request's `done` runs at most once here: with {} once its replies are
/// read (noreply ones once written), or with the error the connection failed
/// with; a request fail() hands back for rerouting is not done yet.
///
///     Pipeline p(options, log);
///     p.submit(std::move(request));
///     std::string_view bytes = p.prepare_write(now);  // write them, then
///     p.on_written();
///     auto [data, size] = p.read_space();              // read into it, then
///     p.on_read(n, now);
class Pipeline {
 public:
  using Clock = std::chrono::steady_clock;
  using Log = std::function<void(std::string_view)>;

  /// Where the next read may put bytes.
  struct ReadSpace {
    char* data;
    std::size_t size;
  };
  /// Which deadline passed: the oldest reply owed, or the write under way.
  enum class Expired { nothing, reply, write };

  /// Reads max_value_read_length, max_requests_in_flight and
  /// socket_timeout from `options`. `log` hears of failures nobody else is
  /// told about (errors memcached answered to noreply requests).
  Pipeline(const Options& options, Log log);

  /// Queues a request behind those already queued.
  void submit(AsyncRequest&& request) { backlog_.push_back(std::move(request)); }
  /// Queues a request ahead of all others (the flush on reconnect).
  void submit_first(AsyncRequest&& request) { backlog_.push_front(std::move(request)); }

  /// prepare_write() would give bytes: requests wait, no write is under way,
  /// the connection is not retiring and the in-flight bound has room.
  bool can_write() const;
  /// Moves what may be written now from the backlog to the write buffer and
  /// returns it; it must stay untouched until on_written() or fail(). Empty
  /// when nothing may be written. Requests written now must be answered within
  /// socket_timeout from `now`, and the write must finish by then too.
  std::string_view prepare_write(Clock::time_point now);
  /// The bytes from prepare_write() are all written: noreply requests among
  /// them are done.
  void on_written();

  /// Room for the next read, at least what the reply being read still needs.
  ReadSpace read_space();
  /// `n` bytes were read into read_space(): completes, in order, the requests
  /// answered by them. Returns why the replies make no sense (a protocol
  /// error: the connection must fail), or nothing. A reply owed by the oldest
  /// request still waiting extends its deadline to socket_timeout from `now`.
  std::optional<std::string> on_read(std::size_t n, Clock::time_point now);

  /// When the connection fails if nothing more happens: the oldest owed
  /// reply's deadline or the write's; nothing when nothing is owed.
  std::optional<Clock::time_point> deadline() const;
  /// Which deadline has passed at `now`, if any.
  Expired timed_out(Clock::time_point now) const;

  /// Ends the connection: requests written (replies owed, or noreply in a
  /// write under way) fail with `ec`, as do unwritten ones that belong to this
  /// connection (`reroutable` false; connection_failed when `ec` is empty).
  /// The other unwritten requests are handed back, in order, for rerouting.
  std::vector<AsyncRequest> fail(std::error_code ec);

  /// Replies are owed: the connection must be reading.
  bool wants_read() const { return !in_flight_.empty(); }
  /// Noreply requests were written since the last reply, so an idle
  /// connection may already hold the errors memcached answered to them.
  bool unsynced() const { return unsynced_; }
  /// The server answered ERROR or CLIENT_ERROR and may have skipped input:
  /// nothing more is written, what is in flight still completes.
  bool retiring() const { return retiring_; }
  /// Retiring and nothing owed any more: the connection should close (and
  /// fail() hands back what was never written).
  bool retired() const { return retiring_ && in_flight_.empty() && !writing_; }
  /// Nothing queued, being written or owed.
  bool idle() const { return backlog_.empty() && in_flight_.empty() && !writing_; }

 private:
  void write_sync(Clock::time_point deadline);
  void complete_answered();

  const std::size_t max_value_;
  const std::size_t max_in_flight_;
  const Clock::duration socket_timeout_;
  Log log_;
  protocol::Dispatcher dispatcher_;
  ReadBuffer read_buf_;
  std::string write_buf_;
  bool writing_ = false;
  Clock::time_point write_deadline_{};
  bool retiring_ = false;
  bool unsynced_ = false;
  std::deque<AsyncRequest> backlog_;     // not written yet
  std::deque<AsyncRequest> in_flight_;   // written, replies owed, in order
  std::deque<AsyncRequest> unanswered_;  // noreply, in the write under way
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ASYNC_PIPELINE_HPP
