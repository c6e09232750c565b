#include "transport/idle_check.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace memcache::detail {

bool idle_socket_ok(int fd, bool unsynced) {
  char byte = 0;
  const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  return n > 0 && unsynced;
}

}  // namespace memcache::detail
