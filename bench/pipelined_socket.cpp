#include "pipelined_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace memcache::bench {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("pipelined socket: " + what + ": " + std::strerror(errno));
}

int connect_to(const std::string& spec) {
  const auto colon = spec.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (colon == std::string::npos || ::inet_pton(AF_INET, spec.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("pipelined socket: not a numeric host:port: " + spec);
  }
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(spec.substr(colon + 1))));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    fail("connect to " + spec);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

double pipelined_socket_rate(const std::string& spec, const std::vector<std::string>& keys, std::size_t gets,
                             std::size_t window) {
  const int fd = connect_to(spec);
  std::string request;
  std::size_t next_key = 0, sent = 0, answered = 0;
  auto queue = [&](std::size_t n) {
    request.clear();
    for (; n > 0 && sent < gets; --n, ++sent) {
      request += "get ";
      request += keys[next_key];
      request += "\r\n";
      next_key = (next_key + 1) % keys.size();
    }
    for (std::size_t off = 0; off < request.size();) {
      const ssize_t w = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (w <= 0) fail("send");
      off += static_cast<std::size_t>(w);
    }
  };

  constexpr std::string_view end = "END\r\n";
  std::vector<char> buf(256 * 1024);
  std::size_t carry = 0;  // bytes kept from the last read: a split END\r\n
  const auto start = std::chrono::steady_clock::now();
  queue(window);
  while (answered < gets) {
    const ssize_t n = ::recv(fd, buf.data() + carry, buf.size() - carry, 0);
    if (n <= 0) fail("recv");
    std::string_view data(buf.data(), carry + static_cast<std::size_t>(n));
    std::size_t done = 0, pos = 0;
    for (std::size_t hit; (hit = data.find(end, pos)) != std::string_view::npos; pos = hit + end.size()) ++done;
    carry = std::min(data.size() - pos, end.size() - 1);
    std::memmove(buf.data(), data.data() + data.size() - carry, carry);
    answered += done;
    if (done > 0) queue(done);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  return static_cast<double>(gets) / took.count();
}

}  // namespace memcache::bench
