#include "call.hpp"

#include <memory>

#include <fmt/format.h>

#include "net/io_error.hpp"

namespace memcache::detail {

Call::Call(const Topology& topology, const Options& options)
    : topology_(topology), options_(options), count_(topology.hosts.size()) {
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
    slot.host = topology_.hosts[index].get();
    if (!slot.host->is_dead()) {
      try {
        slot.lease = slot.host->acquire();
        slot.exchange.emplace(*slot.lease, options_.server_max_value_length);
      } catch (const IoError& e) {
        slot.host->mark_dead(e.what());
      }
    }
  }
  return slot.exchange ? &slot : nullptr;
}

Call::Slot* Call::route(std::string_view key, std::optional<std::uint64_t> hash) {
  auto index = topology_.ring.pick(key, hash, [this](std::size_t i) { return server(i) != nullptr; });
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
      s.host->log(fmt::format("{}: {} noreply request(s) failed: {}", s.host->address().to_string(), x.sync.errors(),
                              x.sync.last_error()));
    }
    if (x.server_failed()) {
      s.lease.discard();
      s.host->mark_dead(x.error);
    } else if (!x.reusable()) {
      // A reply that made no sense: this connection only is closed.
      s.lease.discard();
      if (x.outcome == Exchange::Outcome::protocol_failed) s.host->log(x.error);
    }
  }
}

}  // namespace memcache::detail
