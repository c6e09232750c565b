#include "topology.hpp"

namespace memcache::detail {
namespace {
std::vector<ServerRing::Entry> parse_all(const std::vector<Server>& servers) {
  std::vector<ServerRing::Entry> entries;
  entries.reserve(servers.size());
  for (const Server& s : servers) entries.push_back({parse_address(s.spec), s.weight});
  return entries;
}
}  // namespace

Topology::Topology(const std::vector<Server>& servers, const Options& options, asio::io_context& io,
                   const Host::Log& log)
    : ring(parse_all(servers), options.hashing) {
  hosts.reserve(servers.size());
  for (const Server& s : servers) {
    hosts.push_back(std::make_unique<Host>(parse_address(s.spec), s.weight, options, io, log));
  }
}

}  // namespace memcache::detail
