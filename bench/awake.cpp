#include "awake.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>

namespace memcache::bench {

KeepCpusAwake::KeepCpusAwake() {
  const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < cpus; ++i) {
    spinners_.emplace_back([this] {
      sched_param none{};
      none.sched_priority = 0;
      if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) != 0) return;  // never compete with real work
      while (!stop_.load(std::memory_order_relaxed)) {
      }
    });
  }
}

KeepCpusAwake::~KeepCpusAwake() {
  stop_.store(true);
  for (auto& t : spinners_) t.join();
}

}  // namespace memcache::bench
