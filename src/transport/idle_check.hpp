#ifndef MEMCACHE_SRC_NET_IDLE_CHECK_HPP
#define MEMCACHE_SRC_NET_IDLE_CHECK_HPP

namespace memcache::detail {

/// Whether a connected socket that is owed no reply may be used for the next
/// request: nothing readable, or, when noreply requests went out since the
/// last reply (`unsynced`), only bytes (the errors memcached answers to some
/// of them, which the `version` sent ahead of the next request takes).
/// Anything else (bytes nobody asked for, EOF, an error) means the server
/// closed it or went out of step while it sat idle. Never blocks.
bool idle_socket_ok(int fd, bool unsynced);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_NET_IDLE_CHECK_HPP
