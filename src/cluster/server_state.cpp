#include "cluster/server_state.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace memcache::detail {
namespace {
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t at_least_1ns(std::chrono::nanoseconds d) { return std::max<std::int64_t>(d.count(), 1); }

// How long a failed probe keeps a dead server skipped.
std::int64_t probe_interval_ns(const Options& options) {
  return at_least_1ns(std::min<std::chrono::nanoseconds>(options.dead_retry, options.dead_probe_interval));
}
}  // namespace

ServerState::ServerState(Address address, unsigned weight, const Options& options, Log log)
    : address_(std::move(address)), weight_(weight), options_(options), log_(std::move(log)) {}

bool ServerState::usable() {
  std::int64_t until = dead_until_ns_.load(std::memory_order_relaxed);
  if (until == 0) return true;
  const std::int64_t now = now_ns();
  if (until > now) return false;
  // Time is up: the caller that moves the deadline on probes; the others
  // (who lose the exchange) keep skipping the server meanwhile.
  return dead_until_ns_.compare_exchange_strong(until, now + probe_interval_ns(options_), std::memory_order_relaxed);
}

void ServerState::mark_dead(std::string_view reason) {
  log_(fmt::format("MemCache: {}: {}.  Marking dead.", address_.to_string(), reason));
  const std::int64_t now = now_ns();
  std::int64_t until = dead_until_ns_.load(std::memory_order_relaxed);
  std::int64_t next = 0;
  do {
    // A server that was alive is skipped for dead_retry; one already dead (a
    // probe failed, or another call's late failure) for a probe interval,
    // never less than it was already skipped for.
    next = until == 0 ? now + at_least_1ns(options_.dead_retry) : std::max(until, now + probe_interval_ns(options_));
  } while (!dead_until_ns_.compare_exchange_weak(until, next, std::memory_order_relaxed));
  if (options_.flush_on_reconnect) flush_on_next_connect_.store(true);
}

}  // namespace memcache::detail
