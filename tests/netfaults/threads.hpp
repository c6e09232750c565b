// Runs a blocking client's workers: settings.workers_per_server threads per
// home server, each calling `step(key, plain_set, tally)` on its home's keys
// until the run's end.
#ifndef MEMCACHE_NETFAULTS_THREADS_HPP
#define MEMCACHE_NETFAULTS_THREADS_HPP

#include <thread>
#include <vector>

#include "workload.hpp"

namespace netfaults {

inline std::size_t bucket_count(const Settings& settings) {
  return static_cast<std::size_t>(settings.duration / Tally::bucket_width) + 1;
}

/// `make_worker()` is called on each worker's thread and returns its step
/// function (so a client that is not thread-safe can be cloned per thread);
/// `make_multi()` likewise returns the get_multi workers' call,
/// `MultiReply(const std::vector<std::string>& keys)`.
template <class MakeWorker, class MakeMulti>
Tallies run_in_threads(const Settings& settings, const std::vector<std::vector<std::string>>& homes,
                       Clock::time_point start, MakeWorker make_worker, MakeMulti make_multi) {
  const auto end = start + settings.duration;
  std::vector<Tally> tallies;
  std::vector<std::size_t> home_of;
  for (std::size_t s = 0; s < homes.size(); ++s) {
    for (std::size_t w = 0; w < settings.workers_per_server; ++w) {
      tallies.emplace_back(start, bucket_count(settings));
      home_of.push_back(s);
    }
  }
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < tallies.size(); ++t) {
    if (homes[home_of[t]].empty()) continue;
    threads.emplace_back([&, t] {
      auto step = make_worker();
      Chooser chooser(homes[home_of[t]], static_cast<unsigned>(t + 1));
      Pacer pacer(settings.rate, start);
      while (Clock::now() < end) {
        std::this_thread::sleep_until(pacer.next());
        const Step next = chooser.next();
        step(*next.key, next.plain_set, tallies[t]);
      }
    });
  }
  std::vector<Tallies> multi(settings.multi_workers, Tallies(homes.size(), Tally(start, bucket_count(settings))));
  for (std::size_t m = 0; m < multi.size(); ++m) {
    threads.emplace_back([&, m] {
      auto call = make_multi();
      MultiChooser chooser(homes, static_cast<unsigned>(1000 + m));
      Pacer pacer(settings.multi_rate, start);
      while (Clock::now() < end) {
        std::this_thread::sleep_until(pacer.next());
        const MultiStep step = chooser.next();
        const auto began = Clock::now();
        tally_multi(step, call(step.keys), began, multi[m].data());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  Tallies merged(2 * homes.size(), Tally(start, bucket_count(settings)));
  for (std::size_t t = 0; t < tallies.size(); ++t) merged[home_of[t]].merge(tallies[t]);
  for (const auto& worker : multi) {
    for (std::size_t h = 0; h < homes.size(); ++h) merged[homes.size() + h].merge(worker[h]);
  }
  return merged;
}

}  // namespace netfaults

#endif  // MEMCACHE_NETFAULTS_THREADS_HPP
