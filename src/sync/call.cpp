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
    if (servers_.state(index).usable()) {
      try {
        slot.lease = servers_.pool(index).try_acquire();
        if (slot.lease) {
          slot.exchange.emplace(*slot.lease, options_.max_value_read_length);
        } else {
          slot.waiting = true;
          ++waiting_;
        }
      } catch (const IoError& e) {
        servers_.mark_dead(index, e.what());
      }
    }
  }
  return slot.exchange || slot.waiting ? &slot : nullptr;
}

void Call::acquire_waiting() {
  if (waiting_ == 0) return;
  std::size_t first = 0;
  while (!slots_[first].waiting) ++first;
  for (std::size_t i = first + 1; i < count_; ++i) {
    Slot& slot = slots_[i];
    if (!slot.exchange) continue;
    slot.exchange.reset();
    slot.lease.release();
    slot.waiting = true;
  }
  for (std::size_t i = first; i < count_; ++i) {
    Slot& slot = slots_[i];
    if (!slot.waiting) continue;
    slot.waiting = false;
    try {
      slot.lease = servers_.pool(i).acquire(options_.socket_timeout);
      slot.exchange.emplace(*slot.lease, options_.max_value_read_length);
    } catch (const PoolExhausted& e) {
      slot.busy = true;
      servers_.state(i).log(e.what());  // busy, not failed: not marked dead
    } catch (const IoError& e) {
      servers_.mark_dead(i, e.what());
    }
  }
  waiting_ = 0;
}

Call::Slot* Call::route(std::string_view key, std::optional<std::uint64_t> hash) {
  auto index = servers_.topology().selector.pick(key, hash, [this](std::size_t i) { return server(i) != nullptr; });
  return index ? &slots_[*index] : nullptr;
}

bool Call::move_to_pooled(Slot& slot) {
  Exchange& refused = *slot.exchange;
  std::string bytes = std::move(refused.request);
  const std::vector<protocol::Operation*> ops = refused.dispatcher.waiting();
  const std::string why = refused.error;
  const ServerState& server = servers_.state(slot.server);
  Pool& pool = servers_.pool(slot.server);
  slot.exchange.reset();
  if (!pool.refused(slot.lease)) {
    server.log(fmt::format("{}; no other connection to wait for", why));
    return false;
  }
  server.log(fmt::format("{}; waiting for a pooled connection", why));
  try {
    slot.lease = pool.acquire(options_.socket_timeout);
  } catch (const IoError& e) {
    server.log(e.what());
    return false;
  }
  Exchange& x = slot.exchange.emplace(*slot.lease, options_.max_value_read_length);
  x.request = std::move(bytes);
  for (protocol::Operation* op : ops) x.dispatcher.expect(*op);
  return true;
}

void Call::run(bool admin) {
  fmt::basic_memory_buffer<Exchange*, inline_slots> active;
  for (Slot& s : slots()) {
    if (s.exchange) active.push_back(&*s.exchange);
  }
  if (active.size() == 0) return;
  run_exchanges(active.data(), active.size(), options_.socket_timeout);
  // A server that turned a new connection away (too many open): its
  // requests were never read, so they go again on a connection it accepted.
  // A few rounds, as several callers may learn the cap at once.
  for (int round = 0; round < 3; ++round) {
    active.clear();
    for (Slot& s : slots()) {
      if (s.exchange && s.exchange->outcome == Exchange::Outcome::refused && move_to_pooled(s)) {
        active.push_back(&*s.exchange);
      }
    }
    if (active.size() == 0) break;
    run_exchanges(active.data(), active.size(), options_.socket_timeout);
  }
  for (Slot& s : slots()) {
    if (!s.exchange) continue;
    const Exchange& x = *s.exchange;
    if (x.sync.errors() != 0) {
      const ServerState& server = servers_.state(s.server);
      server.log(fmt::format("{}: {} noreply request(s) failed: {}", server.address().to_string(), x.sync.errors(),
                             x.sync.last_error()));
    }
    if (x.outcome == Exchange::Outcome::done) {
      servers_.state(s.server).mark_alive();
    } else if (x.server_failed() && admin) {
      // stats / flush_all: a server (or a proxy such as twemproxy) that
      // refuses or cannot answer them may serve data fine.
      s.lease.discard();
      servers_.state(s.server).log(x.error);
    } else if (x.server_failed()) {
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
