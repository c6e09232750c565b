#include "transport/endpoints.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <fmt/format.h>
#include <asio/ip/address.hpp>
#include <asio/local/stream_protocol.hpp>

#include "transport/io_error.hpp"

namespace memcache::detail {

std::optional<Endpoint> direct_endpoint(const Address& a) {
  if (a.family == Address::Family::unix_socket) return Endpoint(asio::local::stream_protocol::endpoint(a.path));
  std::error_code not_numeric;
  const auto ip = asio::ip::make_address(a.host, not_numeric);
  if (not_numeric) return std::nullopt;
  return Endpoint(asio::ip::tcp::endpoint(ip, a.port));
}

std::vector<Endpoint> resolve_endpoints(asio::io_context& io, const Address& a) {
  if (auto direct = direct_endpoint(a)) return {*direct};
  asio::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto flags = asio::ip::resolver_base::numeric_service;
  auto results = a.family == Address::Family::inet6
                     ? resolver.resolve(asio::ip::tcp::v6(), a.host, std::to_string(a.port), flags, ec)
                     : resolver.resolve(a.host, std::to_string(a.port), flags, ec);
  if (ec) throw IoError(fmt::format("cannot resolve {}: {}", a.to_string(), ec.message()));
  std::vector<Endpoint> out;
  for (const auto& entry : results) out.emplace_back(entry.endpoint());
  if (out.empty()) throw IoError(fmt::format("{} resolves to no address", a.to_string()));
  return out;
}

void tune_socket(int fd, const Address& address) {
  if (address.family == Address::Family::unix_socket) return;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace memcache::detail
