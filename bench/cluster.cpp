#include "cluster.hpp"

#include <stdexcept>

namespace memcache::bench {

Cluster::Cluster(std::size_t servers, const std::vector<std::string>& extra_args) {
  for (std::size_t i = 0; i < servers; ++i) {
    servers_.push_back(std::make_unique<test::MemcachedServer>(test::MemcachedServer::Transport::tcp, extra_args));
  }
}

std::vector<std::string> Cluster::specs(std::size_t count) const {
  if (count > servers_.size()) throw std::logic_error("not that many servers in the cluster");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(servers_[i]->spec());
  return out;
}

}  // namespace memcache::bench
