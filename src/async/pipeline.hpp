#ifndef MEMCACHE_SRC_ASYNC_PIPELINE_HPP
#define MEMCACHE_SRC_ASYNC_PIPELINE_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
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
#include "transport/send_queue.hpp"

namespace memcache::detail {

/// What one pipelined connection does next, as a state machine with no I/O
/// and no clock of its own (time comes in as `now`), so that every decision
/// is unit-tested without a server: which requests to write (back to back,
/// up to `max_requests_in_flight`, single-key gets batched, a `version` ahead
/// of the first request expecting replies after noreply ones), which request
/// each reply answers, when a request or a write is overdue, and who fails or
/// is rerouted when the connection ends. AsyncConnection only moves the bytes.
///
/// Deadlines, each request on its own (socket_timeout is `T`):
/// - a write fails the connection only when none of its bytes moved for T;
/// - a request's reply is owed within T of its last byte being written, and
///   replies to other requests do not extend it;
/// - a request still unwritten after connect_timeout + T (behind a slow
///   write, or a full pipeline) fails alone with timed_out.
///
/// A request's `done` runs at most once here: with {} once its replies are
/// read (noreply ones once written), or with the error the connection failed
/// with; a request fail() hands back for rerouting is not done yet. An error
/// line (SERVER_ERROR...) is a reply like any other: its request is done with
/// {} and its operation holds the error.
///
///     Pipeline p(options, log);
///     p.submit(std::move(request), now);
///     std::string_view bytes = p.prepare_write(now);  // write some, then
///     p.on_written(n, now);                            // until !writing()
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

  /// Reads max_value_read_length, max_requests_in_flight, socket_timeout
  /// and connect_timeout from `options`. `log` hears of failures nobody else is
  /// told about (errors memcached answered to noreply requests).
  Pipeline(const Options& options, Log log);

  /// Queues a request behind those already queued; its wait counts from
  /// `now`, or from when it was first queued if it was rerouted.
  void submit(AsyncRequest&& request, Clock::time_point now);
  /// Queues a request ahead of all others (the flush on reconnect).
  void submit_first(AsyncRequest&& request, Clock::time_point now);

  /// prepare_write() would give bytes: requests wait, no write is under way,
  /// the connection is not retiring and the in-flight bound has room.
  bool can_write() const;
  /// Moves what may be written now from the backlog to the write buffer and
  /// returns it; it must stay untouched until the write ends or fail(). Empty
  /// when nothing may be written. Its first bytes must move within
  /// socket_timeout from `now`.
  std::string_view prepare_write(Clock::time_point now);
  /// `n` more bytes of the write were taken by the socket at `now`: the
  /// write's deadline moves on, and requests whose bytes are all out start
  /// waiting for their replies. Once all are out the write ends and noreply
  /// requests among them are done.
  void on_written(std::size_t n, Clock::time_point now);
  /// A write is under way.
  bool writing() const { return writing_; }
  /// What the write under way has still to write.
  std::string_view unwritten() const { return std::string_view(write_buf_).substr(written_); }

  /// Room for the next read, at least what the reply being read still needs.
  ReadSpace read_space();
  /// `n` bytes were read into read_space(): completes, in order, the requests
  /// answered by them. Returns why the replies make no sense (a protocol
  /// error: the connection must fail), or nothing. A batch of gets answered
  /// with an error line goes back to the front of the queue, one get each
  /// (split_failed_batch).
  std::optional<std::string> on_read(std::size_t n, Clock::time_point now);

  /// The next deadline: the oldest owed reply's, the write's, or the
  /// longest-waiting unwritten request's; nothing when nothing waits.
  std::optional<Clock::time_point> deadline() const;
  /// Which deadline of the connection has passed at `now`, if any (a reply
  /// or the write: the connection must fail).
  Expired timed_out(Clock::time_point now) const;
  /// Fails, with timed_out, the unwritten requests that have waited too long
  /// at `now`; the connection and the others go on.
  void expire_queued(Clock::time_point now);
  /// The oldest reply is overdue, and the kernel still holds `queue.unsent`
  /// of the bytes written: if some are the oldest request's own and they are
  /// moving (a slow link drains the socket's buffer), the request is still
  /// being sent, and its reply is owed within socket_timeout from when they
  /// stop. Returns whether its deadline moved (socket_timeout at a time while
  /// bytes keep leaving). The first look at a request counts as movement,
  /// so a stall with its bytes still in the kernel's buffer is seen within
  /// twice socket_timeout; over TCP, a peer that acknowledged nothing for
  /// socket_timeout (a blackhole, a link down) is seen at the first look.
  bool still_sending(const SendQueue& queue, Clock::time_point now);

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
  void write_sync();
  void complete_answered();
  void queued(AsyncRequest& request, Clock::time_point now);
  Clock::time_point queue_deadline(const AsyncRequest& request) const { return *request.queued + queue_bound_; }
  void find_queue_deadline();

  const std::size_t max_value_;
  const std::size_t max_in_flight_;
  const Clock::duration socket_timeout_;
  const Clock::duration queue_bound_;  // connect_timeout + socket_timeout
  Log log_;
  protocol::Dispatcher dispatcher_;
  ReadBuffer read_buf_;
  std::string write_buf_;
  std::size_t written_ = 0;  // of write_buf_
  bool writing_ = false;
  Clock::time_point write_deadline_{};
  std::optional<Clock::time_point> queue_deadline_;  // the earliest in the backlog
  std::size_t unsent_ = 0;                           // the last requests in flight, not all written yet
  std::uint64_t bytes_out_ = 0;                      // every byte handed to the socket
  std::uint64_t left_host_ = 0;                      // of those, how many the kernel had sent at the last look
  std::uint64_t looked_at_ = 0;                      // write_end of the request still_sending() last looked at
  bool retiring_ = false;
  bool unsynced_ = false;
  std::deque<AsyncRequest> backlog_;     // not written yet
  std::deque<AsyncRequest> in_flight_;   // written, replies owed, in order
  std::deque<AsyncRequest> unanswered_;  // noreply, in the write under way
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ASYNC_PIPELINE_HPP
