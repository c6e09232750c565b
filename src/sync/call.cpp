#include "sync/call.hpp"

#include <memory>

#include <fmt/format.h>

#include "transport/io_error.hpp"

namespace memcache::detail {

Call::Call(const SyncServers& servers, const Options& options)
    : servers_(servers), options_(options), count_(servers.size()) {
  if (count_ > inline_slots) {
    more_ = std::make_unique<Slot[]>(count_);
    slots_ = more_.get();
  } else {
    slots_ = std::uninitialized_default_construct_n(reinterpret_cast<Slot*>(inline_), count_) - count_;
  }
}

Call::~Call() {
  if (!more_) std::destroy_n(slots_, count_);
}

Call::Slot* Call::server(std::size_t index) {
  Slot& slot = slots_[index];
  if (!slot.tried) {
    slot.tried = true;
    slot.server = index;
    if (!servers_.state(index).is_dead()) {
      try {
        slot.lease = servers_.pool(index).acquire(options_.socket_timeout);
        slot.exchange.emplace(*slot.lease, options_.server_max_value_length);
      } catch (const IoError& e) {
        servers_.mark_dead(index, e.what());
      }
    }
  }
  return slot.exchange ? &slot : nullptr;
}

Call::Slot* Call::route(std::string_view key, std::optional<std::uint64_t> hash) {
  auto index = servers_.topology().selector.pick(key, hash, [this](std::size_t i) { return server(i) != nullptr; });
  return index ? &slots_[*index] : nullptr;
}

void Call::run() {
  fmt::basic_memory_buffer<Exchange*, inline_slots> active;
  for (Slot& s : slots()) {
    if (s.exchange) active.push_back(&*s.exchange);
  }
  if (active.size() == 0) return;
  run_exchanges(active.data(), active.size(), options_.socket_timeout);
  for (Slot& s : slots()) {
    if (!s.exchange) continue;
    const Exchange& x = *s.exchange;
    if (x.sync.errors() != 0) {
      const ServerState& server = servers_.state(s.server);
      server.log(fmt::format("{}: {} noreply request(s) failed: {}", server.address().to_string(), x.sync.errors(),
                             x.sync.last_error()));
    }
    if (x.server_failed()) {
      s.lease.discard();
      servers_.mark_dead(s.server, x.error);
    } else if (!x.reusable()) {
      // A reply that made no sense: this connection only is closed.
      s.lease.discard();
      if (x.outcome == Exchange::Outcome::protocol_failed) servers_.state(s.server).log(x.error);
    }
  }
}

}  // namespace memcache::detail
