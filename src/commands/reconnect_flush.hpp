#ifndef MEMCACHE_SRC_COMMANDS_RECONNECT_FLUSH_HPP
#define MEMCACHE_SRC_COMMANDS_RECONNECT_FLUSH_HPP

#include <string>
#include <string_view>

#include "protocol/operations.hpp"

namespace memcache::detail {

/// The flush_all a server that comes back from the dead is sent first on its
/// new connection when `flush_on_reconnect` is on, as python-memcached does,
/// so that values written elsewhere while it was away cannot resurface as
/// stale. Both drivers send it ahead of anything else on that connection; if
/// it fails, the server stays owed one (ServerState::flush_due_again).
class ReconnectFlush final : public protocol::Operation {
 public:
  void encode(std::string& out) const;
  bool on_reply(const protocol::Reply& reply) override { return op_.on_reply(reply); }
  /// The server answered OK.
  bool ok() const;
  /// Why it failed, given the transport's reason (empty if it was the reply).
  std::string failure(std::string_view transport_error) const;

 private:
  protocol::LineOperation op_ = protocol::LineOperation::flush();
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_RECONNECT_FLUSH_HPP
