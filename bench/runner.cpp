#include "runner.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

namespace memcache::bench {
namespace {

double time_run(const Run& run, std::size_t ops) {
  const auto start = std::chrono::steady_clock::now();
  run();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return static_cast<double>(ops) / elapsed.count();
}

}  // namespace

std::size_t ops_for(const Workload& workload, bool quick) {
  if (!quick) return workload.ops;
  return std::max(workload.batch, workload.ops / 200 / workload.batch * workload.batch);
}

Result run_workload(const Workload& workload, const Cluster& cluster, std::size_t runs, std::size_t ops) {
  const auto specs = cluster.specs(workload.servers);
  std::vector<PeerKind> kinds{PeerKind::memcache, PeerKind::libmemcached};
  if (workload.raw_floor) kinds.push_back(PeerKind::raw_socket);

  std::vector<std::unique_ptr<Peer>> peers;
  for (PeerKind kind : kinds) peers.push_back(make_peer(kind, specs));
  std::vector<Sample> samples(kinds.size());
  for (std::size_t round = 0; round < runs; ++round) {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      const std::size_t k = (round + i) % kinds.size();
      const Run run = workload.prepare(*peers[k], ops);
      samples[k].rates.push_back(time_run(run, ops));
    }
  }

  Result result{&workload, ops, samples[0], samples[1], std::nullopt};
  if (workload.raw_floor) result.raw_socket = samples[2];
  return result;
}

}  // namespace memcache::bench
