#include "pipelined_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "tcp_connect.hpp"

namespace memcache::bench {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("pipelined socket: " + what + ": " + std::strerror(errno));
}

}  // namespace

double pipelined_socket_rate(const std::string& spec, const std::vector<std::string>& keys, std::size_t gets,
                             std::size_t window) {
  const int fd = tcp_connect(spec, "pipelined socket");
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
