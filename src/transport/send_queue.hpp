#ifndef MEMCACHE_SRC_TRANSPORT_SEND_QUEUE_HPP
#define MEMCACHE_SRC_TRANSPORT_SEND_QUEUE_HPP

#include <cstddef>
#include <optional>

namespace memcache::detail {

/// Bytes written to the socket that the kernel has not yet sent (TCP: not
/// yet acknowledged by the peer), or nothing when the kernel cannot tell. A
/// write "completes" once its bytes are in the kernel's buffer, which on a
/// slow link may take longer than socket_timeout to drain: while this number
/// keeps shrinking, the request is still being sent, not waiting for a reply.
std::optional<std::size_t> unsent_bytes(int fd);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_SEND_QUEUE_HPP
