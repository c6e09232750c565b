// Keeps every CPU out of its idle state while a benchmark runs.
//
// On a virtual machine an idle vCPU halts, and waking it for a reply that
// arrives on loopback costs tens of microseconds: a quiet VM measured 13k
// sequential gets/s where a busy one measured 50k, and every client's round
// trip is then mostly that wake-up, which hides what the clients themselves
// cost. One spinning thread per CPU, at SCHED_IDLE priority (it runs only
// when nothing else wants the CPU, and yields it at once), keeps the vCPUs
// awake without taking time from the clients or from memcached.
#ifndef MEMCACHE_BENCH_AWAKE_HPP
#define MEMCACHE_BENCH_AWAKE_HPP

#include <atomic>
#include <thread>
#include <vector>

namespace memcache::bench {

class KeepCpusAwake {
 public:
  KeepCpusAwake();
  ~KeepCpusAwake();
  KeepCpusAwake(const KeepCpusAwake&) = delete;
  KeepCpusAwake& operator=(const KeepCpusAwake&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> spinners_;
};

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_AWAKE_HPP
