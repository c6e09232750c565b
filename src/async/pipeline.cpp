#include "async/pipeline.hpp"

#include <algorithm>
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
      log_(std::move(log)),
      dispatcher_(options.max_value_read_length) {
  // Requests in flight belong to different callers: a bare ERROR cannot be
  // pinned on one of them, so it fails the connection (Dispatcher::set_strict).
  dispatcher_.set_strict(true);
}

bool Pipeline::can_write() const {
  return !writing_ && !retiring_ && !backlog_.empty() && in_flight_.size() < max_in_flight_;
}

std::string_view Pipeline::prepare_write(Clock::time_point now) {
  if (!can_write()) return {};
  const auto deadline = now + socket_timeout_;
  while (!backlog_.empty() && in_flight_.size() < max_in_flight_) {
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
  writing_ = true;
  write_deadline_ = deadline;
  return write_buf_;
}

void Pipeline::write_sync(Clock::time_point deadline) {
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
  r.deadline = deadline;
  protocol::encode_line(write_buf_, "version");
  dispatcher_.expect(*r.op);
  in_flight_.push_back(std::move(r));
  unsynced_ = false;
}

void Pipeline::on_written() {
  writing_ = false;
  write_buf_.clear();
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

std::optional<std::string> Pipeline::on_read(std::size_t n, Clock::time_point now) {
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
  // connection.
  if (!dispatcher_.in_step()) retiring_ = true;
  complete_answered();
  if (!in_flight_.empty()) {
    // Progress: the new head gets a full timeout from now.
    in_flight_.front().deadline = std::max(in_flight_.front().deadline, now + socket_timeout_);
  }
  return std::nullopt;
}

void Pipeline::complete_answered() {
  // The dispatcher has popped every operation whose last reply arrived; they
  // are the oldest requests in flight.
  std::size_t answered = in_flight_.size() - dispatcher_.pending();
  while (answered-- > 0) {
    AsyncRequest r = std::move(in_flight_.front());
    in_flight_.pop_front();
    r.done({});
  }
}

std::optional<Pipeline::Clock::time_point> Pipeline::deadline() const {
  if (in_flight_.empty() && !writing_) return std::nullopt;
  auto deadline = Clock::time_point::max();
  if (!in_flight_.empty()) deadline = in_flight_.front().deadline;
  if (writing_) deadline = std::min(deadline, write_deadline_);
  return deadline;
}

Pipeline::Expired Pipeline::timed_out(Clock::time_point now) const {
  const auto due = deadline();
  if (!due || now < *due) return Expired::nothing;
  return writing_ && now >= write_deadline_ ? Expired::write : Expired::reply;
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
