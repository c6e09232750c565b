#ifndef MEMCACHE_SRC_TRANSPORT_ENDPOINTS_HPP
#define MEMCACHE_SRC_TRANSPORT_ENDPOINTS_HPP

#include <optional>
#include <string>
#include <vector>

#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "cluster/address.hpp"

namespace memcache::detail {

using Endpoint = asio::generic::stream_protocol::endpoint;

/// Where a server string points when no resolver is needed: a unix socket's
/// path or a numeric IP address (no resolver thread for the async client).
std::optional<Endpoint> direct_endpoint(const Address& address);

/// Every endpoint a host name resolves to, blocking (the sync client).
/// Throws IoError saying why not.
std::vector<Endpoint> resolve_endpoints(asio::io_context& io, const Address& address);

/// The same without blocking (the async client): `handler(error_code,
/// std::vector<Endpoint>)` runs once the resolver answers.
template <class Handler>
void async_resolve_endpoints(asio::ip::tcp::resolver& resolver, const Address& address, Handler handler) {
  auto done = [handler = std::move(handler)](const std::error_code& ec,
                                             asio::ip::tcp::resolver::results_type results) mutable {
    std::vector<Endpoint> endpoints;
    for (const auto& entry : results) endpoints.emplace_back(entry.endpoint());
    handler(ec, std::move(endpoints));
  };
  const auto port = std::to_string(address.port);
  if (address.family == Address::Family::inet6) {
    resolver.async_resolve(asio::ip::tcp::v6(), address.host, port, asio::ip::resolver_base::numeric_service,
                           std::move(done));
  } else {
    resolver.async_resolve(address.host, port, asio::ip::resolver_base::numeric_service, std::move(done));
  }
}

/// Socket options every memcached connection gets once connected, whichever
/// client opened it: TCP_NODELAY on TCP (requests are small and answered at
/// once; Nagle would hold pipelined ones back).
void tune_socket(int fd, const Address& address);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_ENDPOINTS_HPP
