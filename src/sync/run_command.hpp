#ifndef MEMCACHE_SRC_SYNC_RUN_COMMAND_HPP
#define MEMCACHE_SRC_SYNC_RUN_COMMAND_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include <memcache/options.hpp>

#include "commands/command.hpp"
#include "sync/call.hpp"
#include "sync/servers.hpp"

namespace memcache::detail {

/// Routing for the sync driver: a server is usable when it is not dead and a
/// connection to it can be borrowed or opened now (python-memcached's
/// _get_server), or all of its connections are in use (a busy server keeps
/// its keys: Call::acquire_waiting waits for one).
class CallRouter final : public Router {
 public:
  explicit CallRouter(Call& call) : call_(call) {}
  std::optional<std::size_t> route(std::string_view key, std::optional<std::uint64_t> hash) override {
    Call::Slot* slot = call_.route(key, hash);
    if (slot == nullptr) return std::nullopt;
    return static_cast<std::size_t>(slot - call_.slots().data());
  }
  bool usable(std::size_t index) override { return call_.server(index) != nullptr; }
  std::size_t servers() const override { return call_.slots().size(); }

 private:
  Call& call_;
};

/// Why an exchange failed, as the async client would say it.
std::error_code exchange_error(const Exchange& x);

/// The sync client's driver: routes `command` through one Call (connecting
/// lazily; a server that is dead or fails to connect is skipped and its keys
/// rehash, as python-memcached's _get_server does), writes every part into
/// its server's exchange, runs them all in one poll loop (servers in
/// parallel, every wait bounded by socket_timeout), and tells the command
/// which parts failed. Returns when every part is answered or failed.
/// A template so that a final command's calls are direct (the get path).
template <class Cmd>
void run_command(Cmd& command, const SyncServers& servers, const Options& options) {
  Call call(servers, options);
  CallRouter router(call);
  command.plan(router);
  const std::size_t parts = command.parts();
  if (parts == 0) return;
  call.acquire_waiting();
  for (std::size_t p = 0; p < parts; ++p) {
    Call::Slot& slot = call.slots()[command.server(p)];
    if (!slot.exchange) continue;  // busy past socket_timeout: failed below
    Exchange& x = *slot.exchange;
    if (protocol::Operation* op = command.encode(p, x.request)) x.dispatcher.expect(*op);
  }
  call.run(command.admin());
  for (std::size_t p = 0; p < parts; ++p) {
    const Call::Slot& slot = call.slots()[command.server(p)];
    if (!slot.ok()) command.failed(p, slot.error());
  }
}

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_RUN_COMMAND_HPP
