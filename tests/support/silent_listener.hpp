#ifndef MEMCACHE_TESTS_SUPPORT_SILENT_LISTENER_HPP
#define MEMCACHE_TESTS_SUPPORT_SILENT_LISTENER_HPP

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace memcache::test {

/// A TCP port that listens but is never served: connects succeed (the
/// kernel's backlog) and requests are never answered, as with a stalled or
/// black-holed server. A client pointed at it can prove it never connected
/// (nothing reached the wire), or count how many times it did.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen");
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  std::string spec() const { return "127.0.0.1:" + std::to_string(port_); }
  /// Accepts (and closes) every pending connection; how many there were.
  int connections() {
    int n = 0;
    for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0; ++n) ::close(c);
    return n;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_SILENT_LISTENER_HPP
