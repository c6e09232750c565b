#ifndef MEMCACHE_SRC_COMMANDS_COMMAND_HPP
#define MEMCACHE_SRC_COMMANDS_COMMAND_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "protocol/operations.hpp"

namespace memcache::detail {

/// Where a command's requests may go; each driver answers for its own
/// connections (the sync client tries to connect, the async one asks the
/// server's health).
class Router {
 public:
  /// The server for `key` as sent (prefix included), or an explicit `hash`,
  /// skipping unusable servers as python-memcached does; nullopt when none.
  virtual std::optional<std::size_t> route(std::string_view key, std::optional<std::uint64_t> hash) = 0;
  /// Whether server `index` can be used now (for calls sent to every server).
  virtual bool usable(std::size_t index) = 0;
  /// How many servers the list has.
  virtual std::size_t servers() const = 0;

 protected:
  ~Router() = default;
};

/// One client call, planned once for both clients and with no I/O: its
/// keys checked (in the constructor, throwing KeyError), routed and grouped
/// into requests ("parts", one or more per server), each part's bytes and
/// the operation that takes its replies, then a result read off the concrete
/// command. The drivers (sync/run_command, async/engine) only send each part
/// to its server and say which failed.
class Command {
 public:
  virtual ~Command() = default;

  /// Routes the keys and decides the parts.
  virtual void plan(Router& router) = 0;
  /// How many requests plan() made.
  virtual std::size_t parts() const = 0;
  /// The server part `part` goes to.
  virtual std::size_t server(std::size_t part) const = 0;
  /// Appends part `part`'s request to `out`; returns the operation its
  /// replies go to, or nullptr when it expects none (noreply).
  virtual protocol::Operation* encode(std::size_t part, std::string& out) = 0;
  /// Part `part` got no complete reply: its server failed or timed out, or
  /// the connection broke or fell out of step.
  virtual void failed(std::size_t part, std::error_code why) = 0;
  /// For a single-key command, the key it routes by: its request may be
  /// sent to another server if its own fails before the request is written.
  virtual std::optional<std::string_view> route_key() const { return std::nullopt; }
  virtual std::optional<std::uint64_t> route_hash() const { return std::nullopt; }
  /// An admin command (stats, flush_all): when it fails, its connection is
  /// closed but the server is not marked dead. Servers and proxies (twemproxy
  /// closes the connection on `stats`) may refuse these and still serve data.
  virtual bool admin() const { return false; }
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_COMMAND_HPP
