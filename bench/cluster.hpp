#ifndef MEMCACHE_BENCH_CLUSTER_HPP
#define MEMCACHE_BENCH_CLUSTER_HPP

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "memcached_server.hpp"

namespace memcache::bench {

/// The memcached servers the benchmarks run against: started on free loopback
/// ports (never 11211), stopped when this goes away.
class Cluster {
 public:
  /// `extra_args` go to every memcached (e.g. {"-t", "1"}: a later -t wins).
  explicit Cluster(std::size_t servers, const std::vector<std::string>& extra_args = {});

  /// The server strings ("127.0.0.1:<port>") of the first `count` servers.
  std::vector<std::string> specs(std::size_t count) const;
  std::size_t size() const { return servers_.size(); }

 private:
  std::vector<std::unique_ptr<test::MemcachedServer>> servers_;
};

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_CLUSTER_HPP
