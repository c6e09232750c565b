#include "cluster/server_state.hpp"

#include <fmt/format.h>

namespace memcache::detail {
namespace {
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

ServerState::ServerState(Address address, unsigned weight, const Options& options, Log log)
    : address_(std::move(address)), weight_(weight), options_(options), log_(std::move(log)) {}

bool ServerState::is_dead() const {
  std::int64_t until = dead_until_ns_.load(std::memory_order_relaxed);
  return until != 0 && until > now_ns();
}

void ServerState::mark_dead(std::string_view reason) {
  log_(fmt::format("MemCache: {}: {}.  Marking dead.", address_.to_string(), reason));
  auto retry = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.dead_retry).count();
  dead_until_ns_.store(now_ns() + (retry > 0 ? retry : 1), std::memory_order_relaxed);
  if (options_.flush_on_reconnect) flush_on_next_connect_.store(true);
}

}  // namespace memcache::detail
