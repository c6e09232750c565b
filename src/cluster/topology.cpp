#include "cluster/topology.hpp"

#include <fmt/format.h>

#include <memcache/error.hpp>

#include "transport/tls_context.hpp"

namespace memcache::detail {
namespace {
std::vector<ServerSelector::Entry> parse_all(const std::vector<Server>& servers) {
  std::vector<ServerSelector::Entry> entries;
  entries.reserve(servers.size());
  for (const Server& s : servers) entries.push_back({parse_address(s.spec), s.weight});
  return entries;
}
}  // namespace

Topology::Topology(const std::vector<Server>& list, const Options& options, const ServerState::Log& log)
    : selector(parse_all(list), options.hashing) {
  servers.reserve(list.size());
  for (const Server& s : list) {
    servers.push_back(std::make_unique<ServerState>(parse_address(s.spec), s.weight, options, log));
  }
  if (!options.tls.enabled) return;
  // One context for the whole list (and both drivers); a session per server.
  auto context = std::make_shared<TlsContext>(options.tls);
  for (auto& server : servers) {
    if (server->address().family == Address::Family::unix_socket) {
      throw ServerSpecError(
          fmt::format("{}: TLS (Options::tls) runs over TCP only, not unix sockets", server->address().to_string()));
    }
    server->set_tls(std::make_shared<TlsPeer>(context, server->address()));
  }
}

}  // namespace memcache::detail
