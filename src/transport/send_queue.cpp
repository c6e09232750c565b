#include "transport/send_queue.hpp"

#ifdef __linux__
#include <linux/sockios.h>
#include <sys/ioctl.h>
#endif

namespace memcache::detail {

std::optional<std::size_t> unsent_bytes(int fd) {
#ifdef __linux__
  int queued = 0;
  // SIOCOUTQ: TCP and unix stream sockets alike.
  if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued < 0) return std::nullopt;
  return static_cast<std::size_t>(queued);
#else
  (void)fd;
  return std::nullopt;
#endif
}

}  // namespace memcache::detail
