#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

namespace memcache::test {
namespace {

HttpReply parse_reply(const std::string& text) {
  HttpReply reply;
  auto head_end = text.find("\r\n\r\n");
  const bool http_1 = text.compare(0, 9, "HTTP/1.1 ") == 0 || text.compare(0, 9, "HTTP/1.0 ") == 0;  // Flask: 1.0
  if (head_end == std::string::npos || !http_1) {
    throw std::runtime_error("not an HTTP reply: '" + text + "'");
  }
  reply.status = std::stoi(text.substr(9, 3));
  for (auto pos = text.find("\r\n") + 2; pos < head_end;) {
    auto end = text.find("\r\n", pos);
    auto line = text.substr(pos, end - pos);
    auto colon = line.find(": ");
    if (colon != std::string::npos) reply.headers[line.substr(0, colon)] = line.substr(colon + 2);
    pos = end + 2;
  }
  reply.body = text.substr(head_end + 4);
  return reply;
}

}  // namespace

HttpReply send_http(std::uint16_t port, const std::string& raw) {
  const auto start = std::chrono::steady_clock::now();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval timeout{10, 0};  // a hung server fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::string received;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(raw.size());
  char buf[4096];
  for (ssize_t n = 0; ok && (n = ::recv(fd, buf, sizeof buf, 0)) != 0;) {
    if (n < 0)
      ok = false;
    else
      received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!ok) throw std::runtime_error("HTTP exchange failed on port " + std::to_string(port));
  HttpReply reply = parse_reply(received);
  reply.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return reply;
}

HttpReply http_get(std::uint16_t port, const std::string& path) {
  return send_http(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

}  // namespace memcache::test
