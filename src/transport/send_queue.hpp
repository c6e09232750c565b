#ifndef MEMCACHE_SRC_TRANSPORT_SEND_QUEUE_HPP
#define MEMCACHE_SRC_TRANSPORT_SEND_QUEUE_HPP

#include <chrono>
#include <cstddef>
#include <optional>

namespace memcache::detail {

/// What the kernel says of a socket's sending side. A write "completes" once
/// its bytes are in the kernel's buffer, which on a slow link may take longer
/// than socket_timeout to drain: while they keep leaving, the request is
/// still being sent, not waiting for a reply; a blackhole (nothing leaves) is
/// not.
struct SendQueue {
  /// Bytes written that the kernel has not yet sent (TCP: not yet
  /// acknowledged by the peer).
  std::size_t unsent = 0;
  /// TCP only: how long since the peer last acknowledged anything. Recent:
  /// the queue is draining; as old as socket_timeout: nothing moves.
  std::optional<std::chrono::milliseconds> since_ack;
};

/// Nothing when the kernel cannot tell (not Linux, not a stream socket).
std::optional<SendQueue> send_queue(int fd);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_SEND_QUEUE_HPP
