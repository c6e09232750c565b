#include "sync/run_command.hpp"

#include <memcache/error_code.hpp>

#include "sync/call.hpp"

namespace memcache::detail {
namespace {

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

std::error_code error_of(const Exchange& x) {
  switch (x.outcome) {
    case Exchange::Outcome::timed_out: return make_error_code(errc::timed_out);
    case Exchange::Outcome::protocol_failed: return make_error_code(errc::protocol_error);
    default: return make_error_code(errc::connection_failed);
  }
}

}  // namespace

void run_command(Command& command, const SyncServers& servers, const Options& options) {
  Call call(servers, options);
  CallRouter router(call);
  command.plan(router);
  const std::size_t parts = command.parts();
  if (parts == 0) return;
  for (std::size_t p = 0; p < parts; ++p) {
    Exchange& x = *call.slots()[command.server(p)].exchange;
    if (protocol::Operation* op = command.encode(p, x.request)) x.dispatcher.expect(*op);
  }
  call.run();
  for (std::size_t p = 0; p < parts; ++p) {
    const Call::Slot& slot = call.slots()[command.server(p)];
    if (!slot.ok()) command.failed(p, error_of(*slot.exchange));
  }
}

}  // namespace memcache::detail
