#include "tcp_connect.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace memcache::bench {

int tcp_connect(const std::string& spec, const std::string& who) {
  const auto colon = spec.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (colon == std::string::npos || ::inet_pton(AF_INET, spec.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error(who + ": not a numeric host:port: " + spec);
  }
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(spec.substr(colon + 1))));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(who + ": socket: " + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(who + ": connect to " + spec + ": " + std::strerror(err));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace memcache::bench
