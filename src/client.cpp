#include <memcache/client.hpp>

#include <algorithm>
#include <deque>
#include <iterator>
#include <mutex>
#include <unordered_map>

#include <asio/io_context.hpp>
#include <fmt/format.h>

#include "call.hpp"
#include "compression.hpp"
#include "debug_log.hpp"
#include "prepared_value.hpp"
#include "protocol/stats_items.hpp"
#include "key_check.hpp"
#include "protocol/operations.hpp"
#include "protocol/requests.hpp"
#include "topology.hpp"

namespace memcache {

using detail::Call;
using detail::protocol::LineOperation;
using detail::protocol::ReplyType;
using detail::protocol::RetrievalOperation;
using detail::protocol::StatsOperation;

namespace {

// Keys per `get` line: keeps request lines short for any server.
constexpr std::size_t keys_per_get = 100;

}  // namespace

struct Client::Impl {
  Impl(std::vector<Server> servers, Options opts) : options(std::move(opts)) {
    topology = make_topology(servers);
  }

  std::shared_ptr<detail::Topology> make_topology(const std::vector<Server>& servers) {
    return std::make_shared<detail::Topology>(servers, options, io,
                                              [this](std::string_view m) { debuglog(m); });
  }

  std::shared_ptr<detail::Topology> snapshot() {
    std::lock_guard<std::mutex> lock(topology_mutex);
    return topology;
  }

  void debuglog(std::string_view message) const { detail::debug_log(options, message); }

  void check(std::string_view key, std::size_t extra = 0) const {
    if (options.check_keys) detail::check_key(key, extra, options.server_max_key_length);
  }

  std::optional<detail::PreparedValue> prepare(const detail::Encoded& val, std::size_t min_compress_len,
                                               std::string& scratch) const {
    return detail::prepare_value(val.bytes(), val.flags(), val.compressible(), min_compress_len, options, scratch,
                                 [this](std::string_view m) { debuglog(m); });
  }

  void remember_cas(std::string_view key, std::uint64_t unique) {
    std::lock_guard<std::mutex> lock(cas_mutex);
    cas_ids.insert_or_assign(std::string(key), unique);
  }

  std::optional<std::uint64_t> cached_cas(std::string_view key) {
    std::lock_guard<std::mutex> lock(cas_mutex);
    auto it = cas_ids.find(std::string(key));
    if (it == cas_ids.end()) return std::nullopt;
    return it->second;
  }

  /// One single-key request with a one-line reply: routes, sends, reads.
  /// `op` is nullptr for noreply. Returns whether the server was reached and
  /// (unless noreply) answered.
  template <class Encode>
  bool single(const Key& key, LineOperation* op, Encode&& encode) {
    auto topo = snapshot();
    Call call(*topo, options);
    Call::Slot* slot = call.route(key.text, key.hash);
    if (slot == nullptr) return false;
    encode(slot->exchange->request);
    if (op) slot->exchange->dispatcher.expect(*op);
    call.run();
    if (!slot->ok()) return false;
    if (op && (op->type() == ReplyType::error || op->type() == ReplyType::client_error ||
               op->type() == ReplyType::server_error)) {
      debuglog(fmt::format("key \"{}\": server answered error: {}", key.text, op->text()));
    }
    return true;
  }

  Options options;
  asio::io_context io;
  std::mutex topology_mutex;
  std::shared_ptr<detail::Topology> topology;
  std::mutex cas_mutex;
  std::unordered_map<std::string, std::uint64_t> cas_ids;
};

Client::Client(std::vector<Server> servers, Options options)
    : impl_(std::make_unique<Impl>(std::move(servers), std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const Options& Client::options() const { return impl_->options; }

void Client::debuglog(std::string_view message) const { impl_->debuglog(message); }

void Client::check_key(std::string_view key, std::size_t key_extra_len) const {
  detail::check_key(key, key_extra_len, impl_->options.server_max_key_length);
}

void Client::rethrow_for_key(std::string_view key, const ValueError& e) {
  throw ValueError(fmt::format("key \"{}\": {}", key, e.what()));
}

Value Client::inflate(Value v, std::string_view key) const {
  try {
    return detail::inflate(std::move(v), impl_->options);
  } catch (const ValueError& e) {
    rethrow_for_key(key, e);
  }
}

// -- storage ------------------------------------------------------------------

bool Client::store(detail::StoreCommand cmd, const Key& key, const detail::Encoded& val, Expiry time,
                   std::size_t min_compress_len, bool noreply, std::optional<std::uint64_t> cas_unique) {
  impl_->check(key.text);
  std::string scratch;
  auto prepared = impl_->prepare(val, min_compress_len, scratch);
  if (!prepared) return false;
  auto op = LineOperation::storage();
  bool reached = impl_->single(key, noreply ? nullptr : &op, [&](std::string& out) {
    detail::protocol::encode_storage(out, detail::command_name(cmd), key.text, prepared->flags, time.wire_value(),
                                     prepared->bytes, cas_unique, noreply);
  });
  return reached && (noreply || op.type() == ReplyType::stored);
}

bool Client::store_cached_cas(const Key& key, const detail::Encoded& val, Expiry time, std::size_t min_compress_len,
                              bool noreply) {
  std::optional<std::uint64_t> unique;
  if (impl_->options.cache_cas) unique = impl_->cached_cas(key.text);
  if (!unique) return store(detail::StoreCommand::set, key, val, time, min_compress_len, noreply);
  return store(detail::StoreCommand::cas, key, val, time, min_compress_len, noreply, unique);
}

std::vector<std::string> Client::store_multi(const std::vector<std::pair<Key, detail::Encoded>>& items, Expiry time,
                                             std::string_view prefix, std::size_t min_compress_len, bool noreply) {
  if (!prefix.empty()) impl_->check(prefix);
  for (const auto& item : items) impl_->check(item.first.text, prefix.size());

  auto topo = impl_->snapshot();
  Call call(*topo, impl_->options);
  std::vector<std::string> not_stored;
  std::deque<std::pair<std::size_t, LineOperation>> ops;
  std::string wire_key;
  std::string scratch;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& [key, val] = items[i];
    wire_key.assign(prefix.data(), prefix.size()).append(key.text.data(), key.text.size());
    auto prepared = impl_->prepare(val, min_compress_len, scratch);
    Call::Slot* slot = prepared ? call.route(wire_key, key.hash) : nullptr;
    if (slot == nullptr) {
      not_stored.emplace_back(key.text);
      continue;
    }
    detail::protocol::encode_storage(slot->exchange->request, "set", wire_key, prepared->flags, time.wire_value(),
                                     prepared->bytes, std::nullopt, noreply);
    if (!noreply) slot->exchange->dispatcher.expect(ops.emplace_back(i, LineOperation::storage()).second);
  }
  call.run();
  for (const auto& [index, op] : ops) {
    if (op.type() != ReplyType::stored || !op.answered()) not_stored.emplace_back(items[index].first.text);
  }
  return not_stored;
}

// -- retrieval ----------------------------------------------------------------

std::optional<Value> Client::fetch(const Key& key, bool with_cas, std::uint64_t* cas_out) {
  impl_->check(key.text);
  auto topo = impl_->snapshot();
  Call call(*topo, impl_->options);
  Call::Slot* slot = call.route(key.text, key.hash);
  if (slot == nullptr) return std::nullopt;
  detail::protocol::encode_retrieval(slot->exchange->request, with_cas, key.text);

  std::optional<Value> found;
  std::uint64_t unique = 0;
  RetrievalOperation op(key.text, [&](std::size_t, const detail::protocol::Reply& r) {
    found.emplace(std::string(r.data), r.flags);
    unique = r.cas;
  });
  slot->exchange->dispatcher.expect(op);
  call.run();
  if (!slot->ok() || !found) return std::nullopt;
  if (with_cas && impl_->options.cache_cas) impl_->remember_cas(key.text, unique);
  if (cas_out) *cas_out = unique;
  return found;
}

Client::FoundList Client::fetch_multi(const KeyList& keys, std::string_view prefix) {
  if (!prefix.empty()) impl_->check(prefix);
  for (const Key& k : keys) impl_->check(k.text, prefix.size());

  auto topo = impl_->snapshot();
  Call call(*topo, impl_->options);
  // The keys as sent: the caller's own text, or prefixed copies.
  std::deque<std::string> prefixed;
  if (!prefix.empty()) {
    for (const Key& k : keys) prefixed.emplace_back(std::string(prefix).append(k.text.data(), k.text.size()));
  }
  const auto wire = [&](std::size_t i) -> std::string_view { return prefix.empty() ? keys[i].text : prefixed[i]; };

  // Each key's server, then each server's keys in the caller's order.
  constexpr auto unrouted = static_cast<std::uint32_t>(-1);
  std::vector<std::uint32_t> server_of(keys.size(), unrouted);
  std::vector<std::size_t> per_server_count(topo->hosts.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Call::Slot* slot = call.route(wire(i), keys[i].hash);
    if (slot == nullptr) continue;
    server_of[i] = static_cast<std::uint32_t>(slot - call.slots().data());
    ++per_server_count[server_of[i]];
  }
  std::vector<std::vector<std::size_t>> per_server(topo->hosts.size());
  for (std::size_t s = 0; s < per_server.size(); ++s) per_server[s].reserve(per_server_count[s]);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (server_of[i] != unrouted) per_server[server_of[i]].push_back(i);
  }

  std::vector<FoundList> found(per_server.size());
  std::deque<RetrievalOperation> ops;
  for (std::size_t s = 0; s < per_server.size(); ++s) {
    const auto& indices = per_server[s];
    if (indices.empty()) continue;
    auto& sink = found[s];
    detail::Exchange& x = *call.slots()[s].exchange;
    x.keys.reserve(indices.size());  // never reallocated below: the operations point into it
    for (std::size_t begin = 0; begin < indices.size(); begin += keys_per_get) {
      const std::size_t end = std::min(indices.size(), begin + keys_per_get);
      const std::size_t first_key = x.keys.size();
      detail::protocol::begin_retrieval(x.request, false);
      for (std::size_t j = begin; j < end; ++j) {
        detail::protocol::append_key(x.request, {}, wire(indices[j]));
        x.keys.push_back(wire(indices[j]));
      }
      detail::protocol::finish_line(x.request);
      auto& op = ops.emplace_back(x.keys.data() + first_key, end - begin, begin,
                                  [&sink, &indices](std::size_t pos, const auto& r) {
                                    sink.emplace_back(indices[pos], Value(std::string(r.data), r.flags));
                                  });
      x.dispatcher.expect(op);
    }
  }
  call.run();
  // A server whose exchange failed part-way contributes nothing: only
  // complete replies count.
  FoundList result;
  for (std::size_t s = 0; s < per_server.size(); ++s) {
    if (!call.slots()[s].ok()) continue;
    if (result.empty()) {
      result = std::move(found[s]);
    } else {
      std::move(found[s].begin(), found[s].end(), std::back_inserter(result));
    }
  }
  return result;
}

// -- deletion and single-line commands ------------------------------------------

bool Client::remove_multi(const std::vector<Key>& keys, Expiry time, std::string_view prefix, bool noreply) {
  if (!prefix.empty()) impl_->check(prefix);
  for (const Key& k : keys) impl_->check(k.text, prefix.size());
  auto topo = impl_->snapshot();
  Call call(*topo, impl_->options);
  std::deque<LineOperation> ops;
  bool all_routed = true;
  std::string wire_key;
  for (const Key& key : keys) {
    wire_key.assign(prefix.data(), prefix.size()).append(key.text.data(), key.text.size());
    Call::Slot* slot = call.route(wire_key, key.hash);
    if (slot == nullptr) {
      all_routed = false;
      continue;
    }
    detail::protocol::encode_delete(slot->exchange->request, wire_key, time.wire_value(), noreply);
    if (!noreply) slot->exchange->dispatcher.expect(ops.emplace_back(LineOperation::deletion()));
  }
  call.run();
  bool all_ok = all_routed;
  for (auto& slot : call.slots()) {
    if (slot.exchange && !slot.ok()) all_ok = false;
  }
  return all_ok;
}

bool Client::del(const Key& key, bool noreply) {
  impl_->check(key.text);
  auto op = LineOperation::deletion();
  bool reached = impl_->single(key, noreply ? nullptr : &op, [&](std::string& out) {
    detail::protocol::encode_delete(out, key.text, 0, noreply);
  });
  return reached && (noreply || op.type() == ReplyType::deleted);
}

bool Client::touch(const Key& key, Expiry time, bool noreply) {
  impl_->check(key.text);
  auto op = LineOperation::touch();
  bool reached = impl_->single(key, noreply ? nullptr : &op, [&](std::string& out) {
    detail::protocol::encode_touch(out, key.text, time.wire_value(), noreply);
  });
  return reached && (noreply || op.type() == ReplyType::touched);
}

std::optional<std::uint64_t> Client::incr(const Key& key, std::uint64_t delta, bool noreply) {
  return arith(true, key, delta, noreply);
}

std::optional<std::uint64_t> Client::decr(const Key& key, std::uint64_t delta, bool noreply) {
  return arith(false, key, delta, noreply);
}

std::optional<std::uint64_t> Client::arith(bool incr, const Key& key, std::uint64_t delta, bool noreply) {
  impl_->check(key.text);
  auto op = LineOperation::arith();
  bool reached = impl_->single(key, noreply ? nullptr : &op, [&](std::string& out) {
    detail::protocol::encode_arith(out, incr, key.text, delta, noreply);
  });
  if (!reached || noreply) return std::nullopt;
  if (op.type() == ReplyType::number) return op.number();
  if (op.type() == ReplyType::client_error) {
    throw ValueError(fmt::format("{} of key \"{}\" failed: {}", incr ? "incr" : "decr", key.text, op.text()));
  }
  return std::nullopt;
}

// -- servers ------------------------------------------------------------------

namespace {

// Sends `line` to every reachable server; returns the servers that answered
// in full, their STAT lines in `out`.
std::vector<std::size_t> stats_from_all(detail::Topology& topo, const Options& options, std::string_view line,
                                        std::vector<std::vector<std::pair<std::string, std::string>>>& out) {
  Call call(topo, options);
  out.assign(topo.hosts.size(), {});
  std::deque<StatsOperation> ops;
  for (std::size_t i = 0; i < topo.hosts.size(); ++i) {
    Call::Slot* slot = call.server(i);
    if (slot == nullptr) continue;
    detail::protocol::encode_line(slot->exchange->request, line);
    auto& stats = out[i];
    slot->exchange->dispatcher.expect(ops.emplace_back([&stats](std::string_view name, std::string_view value) {
      stats.emplace_back(std::string(name), std::string(value));
    }));
  }
  call.run();
  std::vector<std::size_t> answered;
  for (std::size_t i = 0; i < topo.hosts.size(); ++i) {
    if (call.slots()[i].ok()) answered.push_back(i);
  }
  return answered;
}

}  // namespace

ServerStats Client::get_stats(std::string_view args) {
  auto topo = impl_->snapshot();
  std::vector<std::vector<std::pair<std::string, std::string>>> raw;
  std::string line = args.empty() ? std::string("stats") : fmt::format("stats {}", args);
  ServerStats result;
  for (std::size_t i : stats_from_all(*topo, impl_->options, line, raw)) {
    const auto& host = *topo->hosts[i];
    StatsMap map(raw[i].begin(), raw[i].end());
    result.emplace_back(host.address().stats_name(host.weight()), std::move(map));
  }
  return result;
}

ServerSlabs Client::get_slabs() {
  auto topo = impl_->snapshot();
  std::vector<std::vector<std::pair<std::string, std::string>>> raw;
  ServerSlabs result;
  for (std::size_t i : stats_from_all(*topo, impl_->options, "stats items", raw)) {
    const auto& host = *topo->hosts[i];
    SlabsMap slabs = detail::slabs_from_items(raw[i]);
    result.emplace_back(host.address().stats_name(host.weight()), std::move(slabs));
  }
  return result;
}

void Client::flush_all() {
  auto topo = impl_->snapshot();
  Call call(*topo, impl_->options);
  std::deque<LineOperation> ops;
  for (std::size_t i = 0; i < topo->hosts.size(); ++i) {
    Call::Slot* slot = call.server(i);
    if (slot == nullptr) continue;
    detail::protocol::encode_line(slot->exchange->request, "flush_all");
    slot->exchange->dispatcher.expect(ops.emplace_back(LineOperation::flush()));
  }
  call.run();
}

void Client::disconnect_all() {
  auto topo = impl_->snapshot();
  for (auto& host : topo->hosts) host->disconnect();
}

void Client::forget_dead_hosts() {
  auto topo = impl_->snapshot();
  for (auto& host : topo->hosts) host->revive();
}

void Client::set_servers(std::vector<Server> servers) {
  auto fresh = impl_->make_topology(servers);
  std::lock_guard<std::mutex> lock(impl_->topology_mutex);
  impl_->topology = std::move(fresh);
}

void Client::reset_cas() {
  std::lock_guard<std::mutex> lock(impl_->cas_mutex);
  impl_->cas_ids.clear();
}

}  // namespace memcache
