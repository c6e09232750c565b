#include "cluster/topology.hpp"

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
}

}  // namespace memcache::detail
