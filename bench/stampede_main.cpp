// memcache_stampede_bench: 64 concurrent misses of one key, each caller with
// its own Client (as 64 web workers would be), against a backend computation
// of 50 ms. Compares a plain get-then-set (every miss computes) with
// get_or_set (one computes, the others wait for its value), by the number of
// backend computations and each caller's latency.
//
//   memcache_stampede_bench [rounds=20] [callers=64] [compute_ms=50]

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <memcache/memcache.hpp>

#include "cluster.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Round {
  int computations = 0;
  std::vector<double> latency_ms;
};

/// `callers` threads released at once, each running `call(client, key)`.
template <class Call>
Round herd(std::vector<std::unique_ptr<memcache::Client>>& clients, const std::string& key, Call call) {
  std::mutex mutex;
  std::condition_variable cv;
  bool go = false;
  std::atomic<int> computations{0};
  Round round;
  round.latency_ms.resize(clients.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return go; });
      }
      const auto start = Clock::now();
      call(*clients[i], key, computations);
      round.latency_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    });
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    go = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  round.computations = computations;
  return round;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void report(const char* name, const std::vector<Round>& rounds) {
  double computations = 0;
  std::vector<double> all;
  for (const auto& r : rounds) {
    computations += r.computations;
    all.insert(all.end(), r.latency_ms.begin(), r.latency_ms.end());
  }
  std::printf("%-34s %6.1f computations/round   latency ms: p50 %7.1f  p90 %7.1f  p99 %7.1f  max %7.1f\n", name,
              computations / static_cast<double>(rounds.size()), percentile(all, 0.5), percentile(all, 0.9),
              percentile(all, 0.99), percentile(all, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 20;
  const std::size_t callers = argc > 2 ? std::stoul(argv[2]) : 64;
  const auto compute_time = std::chrono::milliseconds(argc > 3 ? std::stoi(argv[3]) : 50);
  memcache::bench::Cluster cluster(1);
  const std::string server = cluster.specs(1)[0];
  memcache::Options options;
  options.socket_timeout = std::chrono::seconds(10);
  options.connect_timeout = std::chrono::seconds(10);
  std::vector<std::unique_ptr<memcache::Client>> clients;
  for (std::size_t i = 0; i < callers; ++i) {
    clients.push_back(std::make_unique<memcache::Client>(std::vector<memcache::Server>{server}, options));
    clients.back()->set("warm-up", "1");  // connected before the timed part
  }
  auto compute = [&](std::atomic<int>& computations) {
    ++computations;
    std::this_thread::sleep_for(compute_time);
    return std::string(1000, 'v');
  };

  std::printf("%zu concurrent misses of one key, one Client each, backend computation %lld ms, %d rounds\n", callers,
              static_cast<long long>(compute_time.count()), rounds);
  std::vector<Round> plain, stampede, stampede_add;
  for (int r = 0; r < rounds; ++r) {
    plain.push_back(herd(clients, "plain:" + std::to_string(r),
                         [&](memcache::Client& mc, const std::string& key, std::atomic<int>& computations) {
                           if (mc.get(key)) return;
                           mc.set(key, compute(computations), 300);
                         }));
    stampede.push_back(herd(clients, "meta:" + std::to_string(r),
                            [&](memcache::Client& mc, const std::string& key, std::atomic<int>& computations) {
                              mc.get_or_set(
                                  key, [&] { return compute(computations); }, 300);
                            }));
  }
  options.stampede_lock = memcache::StampedeLock::add;
  std::vector<std::unique_ptr<memcache::Client>> add_clients;
  for (std::size_t i = 0; i < callers; ++i) {
    add_clients.push_back(std::make_unique<memcache::Client>(std::vector<memcache::Server>{server}, options));
    add_clients.back()->set("warm-up", "1");
  }
  for (int r = 0; r < rounds; ++r) {
    stampede_add.push_back(herd(add_clients, "add:" + std::to_string(r),
                                [&](memcache::Client& mc, const std::string& key, std::atomic<int>& computations) {
                                  mc.get_or_set(
                                      key, [&] { return compute(computations); }, 300);
                                }));
  }
  report("get, then set on a miss", plain);
  report("get_or_set (meta: mg N, ms C)", stampede);
  report("get_or_set (StampedeLock::add)", stampede_add);
}
