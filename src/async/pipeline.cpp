#include "async/pipeline.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include <memcache/error_code.hpp>

#include "async/get_batch.hpp"
#include "protocol/operations.hpp"
#include "protocol/requests.hpp"

namespace memcache::detail {

namespace {
// Keys in one batched get (python-memcached's get_multi sends all at once;
// memcached reads long get lines in pieces).
constexpr std::size_t keys_per_batch = 100;
}  // namespace

Pipeline::Pipeline(const Options& options, Log log)
    : max_value_(options.max_value_read_length),
      max_in_flight_(std::max<std::size_t>(options.max_requests_in_flight, 1)),
      socket_timeout_(options.socket_timeout),
      queue_bound_(options.connect_timeout + options.socket_timeout),
      log_(std::move(log)),
      dispatcher_(options.max_value_read_length) {
  // Requests in flight belong to different callers: a bare ERROR cannot be
  // pinned on one of them, so it fails the connection (Dispatcher::set_strict).
  dispatcher_.set_strict(true);
}

void Pipeline::submit(AsyncRequest&& request, Clock::time_point now) {
  queued(request, now);
  backlog_.push_back(std::move(request));
}

void Pipeline::submit_first(AsyncRequest&& request, Clock::time_point now) {
  queued(request, now);
  backlog_.push_front(std::move(request));
}

void Pipeline::queued(AsyncRequest& request, Clock::time_point now) {
  if (!request.queued) request.queued = now;
  const auto due = queue_deadline(request);
  if (!queue_deadline_ || due < *queue_deadline_) queue_deadline_ = due;
}

void Pipeline::find_queue_deadline() {
  // Usually the front's, but rerouted requests keep their first queue time.
  queue_deadline_.reset();
  for (const AsyncRequest& r : backlog_) {
    const auto due = queue_deadline(r);
    if (!queue_deadline_ || due < *queue_deadline_) queue_deadline_ = due;
  }
}

bool Pipeline::can_write() const {
  return !writing_ && !retiring_ && !backlog_.empty() && in_flight_.size() < max_in_flight_;
}

std::string_view Pipeline::prepare_write(Clock::time_point now) {
  if (!can_write()) return {};
  while (!backlog_.empty() && in_flight_.size() < max_in_flight_) {
    auto batch = take_get_batch(backlog_, keys_per_batch);
    AsyncRequest r = batch ? std::move(*batch) : std::move(backlog_.front());
    if (!batch) backlog_.pop_front();
    if (r.op && unsynced_) write_sync();
    write_buf_ += r.bytes;
    if (r.op) {
      dispatcher_.expect(*r.op);
      r.write_end = bytes_out_ + write_buf_.size();
      r.sent = false;
      ++unsent_;
      in_flight_.push_back(std::move(r));
    } else {
      unsynced_ = true;
      unanswered_.push_back(std::move(r));
    }
  }
  find_queue_deadline();
  writing_ = true;
  written_ = 0;
  write_deadline_ = now + socket_timeout_;
  return write_buf_;
}

void Pipeline::write_sync() {
  // noreply requests are never confirmed, and memcached answers some bad ones
  // anyway: a `version` goes ahead of the next request that expects replies,
  // and whatever comes before VERSION is taken by it, never by that request.
  auto sync = std::make_shared<protocol::SyncOperation>();
  AsyncRequest r;
  r.done = [op = sync.get(), this](std::error_code ec) {
    if (!ec && op->errors() != 0 && log_) {
      log_(fmt::format("{} noreply request(s) failed: {}", op->errors(), op->last_error()));
    }
  };
  r.op = sync.get();
  r.owner = std::move(sync);
  protocol::encode_line(write_buf_, "version");
  r.write_end = bytes_out_ + write_buf_.size();
  ++unsent_;
  dispatcher_.expect(*r.op);
  in_flight_.push_back(std::move(r));
  unsynced_ = false;
}

void Pipeline::on_written(std::size_t n, Clock::time_point now) {
  if (!writing_) return;
  n = std::min(n, write_buf_.size() - written_);
  written_ += n;
  bytes_out_ += n;
  if (n > 0) write_deadline_ = now + socket_timeout_;
  // Requests whose last byte is out: their replies are owed from now.
  for (std::size_t i = in_flight_.size() - unsent_; i < in_flight_.size() && in_flight_[i].write_end <= bytes_out_;
       ++i) {
    in_flight_[i].sent = true;
    in_flight_[i].deadline = now + socket_timeout_;
    --unsent_;
  }
  if (written_ < write_buf_.size()) return;
  writing_ = false;
  write_buf_.clear();
  written_ = 0;
  // Taken out first: a callback may queue more.
  auto sent = std::move(unanswered_);
  unanswered_.clear();
  for (auto& r : sent) r.done({});
}

Pipeline::ReadSpace Pipeline::read_space() {
  // Room for the rest of a large value at once, else half the initial size:
  // the buffer grows only as bytes arrive.
  const std::size_t have = read_buf_.data().size();
  const std::size_t want = dispatcher_.bytes_needed();
  read_buf_.reserve_tail(want > have ? std::max(want - have, ReadBuffer::initial_capacity / 2)
                                     : ReadBuffer::initial_capacity / 2);
  return {read_buf_.write_ptr(), read_buf_.tail_room()};
}

std::optional<std::string> Pipeline::on_read(std::size_t n, Clock::time_point /*now*/) {
  read_buf_.commit(n);
  try {
    read_buf_.consume(dispatcher_.consume(read_buf_.data()));
  } catch (const protocol::ProtocolError& e) {
    // Replies read before the bad one were good: their requests succeed.
    complete_answered();
    return std::string(e.what());
  }
  // After ERROR / CLIENT_ERROR the server may have skipped input: write
  // nothing more here, let what is in flight finish, then use a fresh
  // connection. (SERVER_ERROR is an answer like any other: memcached has
  // read, or skipped, the whole request.) Each request's own deadline stands:
  // replies to others are no sign that its own is coming.
  if (!dispatcher_.in_step()) retiring_ = true;
  complete_answered();
  return std::nullopt;
}

void Pipeline::complete_answered() {
  // The dispatcher has popped every operation whose last reply arrived; they
  // are the oldest requests in flight.
  std::size_t answered = in_flight_.size() - dispatcher_.pending();
  std::vector<AsyncRequest> resend;
  while (answered-- > 0) {
    AsyncRequest r = std::move(in_flight_.front());
    in_flight_.pop_front();
    // memcached may answer before it has read all of a request (SERVER_ERROR
    // object too large, then it skips the data).
    if (!r.sent) --unsent_;
    auto unanswered = split_failed_batch(r);
    if (unanswered.empty()) {
      r.done({});
    } else {
      std::move(unanswered.begin(), unanswered.end(), std::back_inserter(resend));
    }
  }
  // The gets of failed batches go first, in their order, each alone.
  for (auto it = resend.rbegin(); it != resend.rend(); ++it) backlog_.push_front(std::move(*it));
  if (!resend.empty()) find_queue_deadline();
}

std::optional<Pipeline::Clock::time_point> Pipeline::deadline() const {
  std::optional<Clock::time_point> due = queue_deadline_;
  auto earlier = [&due](Clock::time_point t) {
    if (!due || t < *due) due = t;
  };
  // Requests are sent in order: the head's reply is the first one due.
  if (!in_flight_.empty() && in_flight_.front().sent) earlier(in_flight_.front().deadline);
  if (writing_) earlier(write_deadline_);
  return due;
}

Pipeline::Expired Pipeline::timed_out(Clock::time_point now) const {
  if (writing_ && now >= write_deadline_) return Expired::write;
  if (!in_flight_.empty() && in_flight_.front().sent && now >= in_flight_.front().deadline) return Expired::reply;
  return Expired::nothing;
}

void Pipeline::expire_queued(Clock::time_point now) {
  if (!queue_deadline_ || now < *queue_deadline_) return;
  std::vector<AsyncRequest> expired;
  for (auto it = backlog_.begin(); it != backlog_.end();) {
    if (now >= queue_deadline(*it)) {
      expired.push_back(std::move(*it));
      it = backlog_.erase(it);
    } else {
      ++it;
    }
  }
  find_queue_deadline();
  for (auto& r : expired) r.done(make_error_code(errc::timed_out));
}

bool Pipeline::still_sending(const SendQueue& queue, Clock::time_point now) {
  if (in_flight_.empty() || !in_flight_.front().sent) return false;
  AsyncRequest& head = in_flight_.front();
  const std::uint64_t left_host = bytes_out_ - std::min<std::uint64_t>(queue.unsent, bytes_out_);
  if (head.write_end <= left_host) return false;  // all its bytes are gone: the reply is late
  const bool first_look = looked_at_ != head.write_end;
  const bool moved = left_host > left_host_;
  left_host_ = left_host;
  looked_at_ = head.write_end;
  // The first look at this request cannot tell when bytes last moved: it
  // counts as progress, and later looks (socket_timeout apart or more: timers
  // fire late) need bytes to have left since the one before. TCP also tells
  // when the peer last acknowledged anything: nothing for socket_timeout is a
  // blackhole, seen at the first look. (Acks alone are not enough: a peer
  // that stopped reading still answers window probes.)
  const bool acked = !queue.since_ack || *queue.since_ack < socket_timeout_;
  const bool moving = acked && (first_look || moved);
  if (!moving) return false;
  head.deadline = now + socket_timeout_;
  return true;
}

std::vector<AsyncRequest> Pipeline::fail(std::error_code ec) {
  complete_answered();
  // Everything is taken out before any callback runs, so the pipeline is
  // empty (and writes nothing more) whatever they do.
  auto in_flight = std::move(in_flight_);
  auto unanswered = std::move(unanswered_);
  auto backlog = std::move(backlog_);
  in_flight_.clear();
  unanswered_.clear();
  backlog_.clear();
  queue_deadline_.reset();
  unsent_ = 0;
  // The failed operations are gone; nothing more is written or read.
  dispatcher_.reset(max_value_);
  retiring_ = true;
  for (auto& r : in_flight) r.done(ec);
  for (auto& r : unanswered) r.done(ec);
  std::vector<AsyncRequest> reroute;
  reroute.reserve(backlog.size());
  for (auto& r : backlog) {
    if (r.reroutable) {
      reroute.push_back(std::move(r));
    } else {
      r.done(ec ? ec : make_error_code(errc::connection_failed));
    }
  }
  return reroute;
}

}  // namespace memcache::detail
