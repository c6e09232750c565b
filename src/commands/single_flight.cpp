#include "commands/single_flight.hpp"

#include <utility>

#include <fmt/format.h>

namespace memcache::detail {

std::string SingleFlight::flight_key(std::string_view key, std::optional<std::uint64_t> hash) {
  // A key with an explicit hash may live on another server than the same
  // text without one: a separate flight.
  return hash ? fmt::format("{}\n{}", *hash, key) : std::string(key);
}

bool SingleFlight::join(const std::string& key, Waiter& waiter) {
  std::optional<Value> stale;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, fresh] = flights_.try_emplace(key);
    if (fresh) return true;
    if (!it->second.stale) {
      it->second.waiters.push_back(std::move(waiter));
      return false;
    }
    stale = it->second.stale;
  }
  waiter(Outcome{std::move(stale), nullptr});
  return false;
}

void SingleFlight::publish_stale(const std::string& key, const Value& stale) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = flights_.find(key);
    if (it == flights_.end()) return;
    it->second.stale = stale;
    waiters.swap(it->second.waiters);
  }
  const Outcome outcome{stale, nullptr};
  for (auto& w : waiters) w(outcome);
}

void SingleFlight::finish(const std::string& key, const Outcome& outcome) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = flights_.find(key);
    if (it == flights_.end()) return;
    waiters = std::move(it->second.waiters);
    flights_.erase(it);
  }
  for (auto& w : waiters) w(outcome);
}

}  // namespace memcache::detail
