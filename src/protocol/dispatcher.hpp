#ifndef MEMCACHE_SRC_PROTOCOL_DISPATCHER_HPP
#define MEMCACHE_SRC_PROTOCOL_DISPATCHER_HPP

#include <cstddef>
#include <string_view>
#include <vector>

#include "protocol/operations.hpp"
#include "protocol/reply_parser.hpp"

namespace memcache::detail::protocol {

/// The replies one connection owes, in request order: hands each reply that
/// arrives to the operation it belongs to. Sans I/O; the socket side only
/// feeds it bytes.
class Dispatcher {
 public:
  explicit Dispatcher(std::size_t max_value) : max_value_(max_value) {}

  /// For pipelined connections, where the requests in flight belong to
  /// different callers: a bare ERROR (memcached misread a request, e.g. a
  /// data line taken for a command) reaching any operation but a
  /// SyncOperation is a ProtocolError instead of that operation's reply, as
  /// it and every reply after it may belong to an earlier request.
  void set_strict(bool strict) { strict_ = strict; }

  /// Forgets every queued operation and starts in step again, keeping the
  /// queue's memory: a connection reuses one dispatcher call after call.
  void reset(std::size_t max_value) {
    max_value_ = max_value;
    pending_.clear();
    head_ = 0;
    needed_ = 0;
    skip_ = 0;
    in_step_ = true;
  }

  /// Queues an operation; its replies come after those of earlier ones.
  void expect(Operation& op) { pending_.push_back(&op); }
  /// Queues an operation ahead of all others (its request goes first).
  void expect_first(Operation& op);

  /// Consumes every whole reply at the start of `input` and returns how many
  /// bytes that was. Throws ProtocolError for a reply that makes no sense or
  /// that nobody is waiting for.
  std::size_t consume(std::string_view input);

  /// The operations still waiting, oldest first (to send them again
  /// elsewhere when the server refused the connection before reading it).
  std::vector<Operation*> waiting() const {
    return {pending_.begin() + static_cast<std::ptrdiff_t>(head_), pending_.end()};
  }
  /// Operations still waiting for replies.
  std::size_t pending() const { return pending_.size() - head_; }
  /// All queued operations have their replies.
  bool idle() const { return head_ == pending_.size(); }
  /// Total bytes the reply being read needs, when known (0 otherwise).
  std::size_t bytes_needed() const { return needed_; }
  /// False once the server answered ERROR or CLIENT_ERROR: after those it may
  /// have skipped input, so the connection is closed rather than reused.
  bool in_step() const { return in_step_; }

 private:
  void pop_front();
  /// Discards the bytes of an oversized value at the start of `input`.
  std::size_t skip(std::string_view input);

  std::size_t max_value_;
  // A queue: pending_[head_..] wait, in order. Answered ones are dropped in
  // bulk, so the vector's memory is reused rather than freed per reply.
  std::vector<Operation*> pending_;
  std::size_t head_ = 0;
  std::size_t needed_ = 0;
  std::size_t skip_ = 0;  // bytes of an oversized value still to discard
  bool in_step_ = true;
  bool strict_ = false;
};

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_DISPATCHER_HPP
