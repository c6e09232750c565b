#include "protocol/dispatcher.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace memcache::detail::protocol {

void Dispatcher::expect_first(Operation& op) {
  if (head_ > 0) {
    pending_[--head_] = &op;
  } else {
    pending_.insert(pending_.begin(), &op);
  }
}

void Dispatcher::pop_front() {
  if (++head_ == pending_.size()) {
    pending_.clear();
    head_ = 0;
  } else if (head_ >= 64 && head_ * 2 >= pending_.size()) {
    // A connection that is never idle (pipelined async traffic): drop the
    // answered half so the queue does not grow without bound.
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

std::size_t Dispatcher::skip(std::string_view input) {
  const std::size_t n = std::min(skip_, input.size());
  // The value's last two bytes, when among these, must be its \r\n
  // (input[i] is the (skip_ - i)th byte from the end).
  for (std::size_t i = skip_ > 2 ? skip_ - 2 : 0; i < n; ++i) {
    if (input[i] != (skip_ - i == 2 ? '\r' : '\n')) {
      throw ProtocolError("memcached sent a value not followed by \\r\\n");
    }
  }
  skip_ -= n;
  return n;
}

std::size_t Dispatcher::consume(std::string_view input) {
  std::size_t total = 0;
  needed_ = 0;
  Reply reply;
  while (total < input.size()) {
    if (skip_ > 0) {
      total += skip(input.substr(total));
      continue;
    }
    if (idle()) {
      throw ProtocolError(fmt::format("memcached sent {} bytes nobody asked for", input.size() - total));
    }
    ParseResult r = parse_reply(input.substr(total), reply, max_value_);
    if (r.consumed == 0) {
      needed_ = r.needed;
      break;
    }
    total += r.consumed;
    skip_ = r.skip;
    if (reply.type == ReplyType::error || reply.type == ReplyType::client_error) in_step_ = false;
    if (strict_ && reply.type == ReplyType::error && !pending_.front()->takes_stray_errors()) {
      throw ProtocolError("memcached answered ERROR: it misread a request, so replies no longer match requests");
    }
    if (pending_[head_]->on_reply(reply)) pop_front();
  }
  return total;
}

}  // namespace memcache::detail::protocol
