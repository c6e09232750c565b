#include "raw_socket_peer.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tcp_connect.hpp"

namespace memcache::bench {
namespace {

constexpr std::string_view end_line = "END\r\n";

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("raw socket: " + what + ": " + std::strerror(errno));
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

RawSocketPeer::RawSocketPeer(const std::string& spec) : fd_(tcp_connect(spec, "raw socket")), reply_(256 * 1024) {}

RawSocketPeer::~RawSocketPeer() { ::close(fd_); }

std::size_t RawSocketPeer::round_trip(std::string_view terminator) {
  for (std::size_t sent = 0; sent < request_.size();) {
    const ssize_t n = ::send(fd_, request_.data() + sent, request_.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) fail("send");
    sent += static_cast<std::size_t>(n);
  }
  std::size_t got = 0;
  while (!ends_with(std::string_view(reply_.data(), got), terminator)) {
    if (got == reply_.size()) throw std::runtime_error("raw socket: reply larger than its buffer");
    const ssize_t n = ::recv(fd_, reply_.data() + got, reply_.size() - got, 0);
    if (n <= 0) fail("recv");
    got += static_cast<std::size_t>(n);
  }
  return got;
}

bool RawSocketPeer::set(const std::string& key, std::string_view value, std::size_t /*min_compress_len*/) {
  request_.assign("set ").append(key).append(" 0 0 ").append(std::to_string(value.size())).append("\r\n");
  request_.append(value).append("\r\n");
  constexpr std::string_view stored = "STORED\r\n";
  return round_trip("\r\n") == stored.size() && std::string_view(reply_.data(), stored.size()) == stored;
}

std::optional<std::size_t> RawSocketPeer::get(const std::string& key) {
  request_.assign("get ").append(key).append("\r\n");
  const std::size_t size = round_trip(end_line);
  if (size == end_line.size()) return std::nullopt;
  // VALUE line, value, "\r\n", END line.
  const auto* header_end = static_cast<const char*>(std::memchr(reply_.data(), '\n', size));
  const auto header = static_cast<std::size_t>(header_end - reply_.data()) + 1;
  return size - header - 2 - end_line.size();
}

std::size_t RawSocketPeer::get_multi(const std::vector<std::string>& keys) {
  // The least any client can do: one request line, read until END, count the
  // values (no key checked, nothing copied out): the floor of get_multi.
  request_.assign("get");
  for (const auto& key : keys) request_.append(" ").append(key);
  request_.append("\r\n");
  const std::string_view reply(reply_.data(), round_trip(end_line));
  constexpr std::string_view value_line = "VALUE ";
  std::size_t found = 0;
  for (std::size_t at = reply.find(value_line); at != std::string_view::npos;
       at = reply.find(value_line, at + value_line.size())) {
    ++found;
  }
  return found;
}

std::size_t RawSocketPeer::set_multi(const Items& /*items*/) { throw std::logic_error("raw socket: no set_multi"); }

std::unique_ptr<Peer> RawSocketPeer::for_thread() { throw std::logic_error("raw socket: one thread only"); }

}  // namespace memcache::bench
