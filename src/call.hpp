#ifndef MEMCACHE_SRC_CALL_HPP
#define MEMCACHE_SRC_CALL_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <memcache/options.hpp>

#include "net/exchange.hpp"
#include "net/pool.hpp"
#include "topology.hpp"

namespace memcache::detail {

/// One client call's plan: which servers it talks to, a borrowed connection
/// and an exchange per server. Routing connects lazily and skips servers that
/// are dead or fail to connect, as python-memcached's _get_server does.
class Call {
 public:
  struct Slot {
    Host* host = nullptr;
    Pool::Lease lease;
    std::optional<Exchange> exchange;
    bool tried = false;
    /// The exchange finished with every reply read.
    bool ok() const { return exchange && exchange->outcome == Exchange::Outcome::done; }
  };

  Call(const Topology& topology, const Options& options);

  /// The slot of the server `key` (as sent) lives on, or nullptr when no
  /// server could be reached.
  Slot* route(std::string_view key, std::optional<std::uint64_t> hash);
  /// The slot of server `index`, or nullptr when it is dead or unreachable.
  Slot* server(std::size_t index);
  /// Every slot in server-list order (empty ones included).
  std::vector<Slot>& slots() { return slots_; }

  /// Runs every exchange; marks servers that failed dead and closes
  /// connections that failed or fell out of step.
  void run();

 private:
  const Topology& topology_;
  const Options& options_;
  std::vector<Slot> slots_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_CALL_HPP
