#ifndef MEMCACHE_SRC_COMMANDS_SINGLE_FLIGHT_HPP
#define MEMCACHE_SRC_COMMANDS_SINGLE_FLIGHT_HPP

#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <memcache/detail/unique_function.hpp>
#include <memcache/value.hpp>

namespace memcache::detail {

/// get_or_set's single flight inside one client: concurrent callers of one
/// key share one trip to the cluster (and at most one computation). The
/// first caller leads; the others are answered with its outcome, or at once
/// with the stale value the leader found while it recomputes. Thread-safe;
/// waiters are called outside the lock, on the thread that answers them.
class SingleFlight {
 public:
  struct Outcome {
    std::optional<Value> value;  // empty with `error`
    std::exception_ptr error;    // what compute() threw
  };
  using Waiter = UniqueFunction<void(const Outcome&)>;

  /// The flight of `key` (the key as sent, with its explicit hash if any).
  static std::string flight_key(std::string_view key, std::optional<std::uint64_t> hash);

  /// True: the caller leads and must call finish(). False: `waiter` will be
  /// (or, when a stale value is known, has been) called with the outcome.
  bool join(const std::string& key, Waiter& waiter);
  /// The leader found a stale value and recomputes: current and later
  /// waiters get it now.
  void publish_stale(const std::string& key, const Value& stale);
  /// The leader is done: every waiter gets `outcome`, the flight ends.
  void finish(const std::string& key, const Outcome& outcome);

 private:
  struct Flight {
    std::vector<Waiter> waiters;
    std::optional<Value> stale;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Flight> flights_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_SINGLE_FLIGHT_HPP
