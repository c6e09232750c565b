#include "transport/send_queue.hpp"

#include <cstddef>

#ifdef __linux__
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#endif

namespace memcache::detail {

std::optional<SendQueue> send_queue(int fd) {
#ifdef __linux__
  int queued = 0;
  // SIOCOUTQ: TCP and unix stream sockets alike.
  if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued < 0) return std::nullopt;
  SendQueue q;
  q.unsent = static_cast<std::size_t>(queued);
  // TCP_INFO: unix sockets have no acknowledgements (the call fails there).
  tcp_info info{};
  socklen_t size = sizeof info;
  if (q.unsent > 0 && ::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) == 0 &&
      size >= offsetof(tcp_info, tcpi_last_ack_recv) + sizeof info.tcpi_last_ack_recv) {
    q.since_ack = std::chrono::milliseconds(info.tcpi_last_ack_recv);
  }
  return q;
#else
  (void)fd;
  return std::nullopt;
#endif
}

}  // namespace memcache::detail
