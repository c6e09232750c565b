// The sync front door: python-memcached's calls, each planned by a command
// (src/commands) and driven by run_command (blocking sockets, one poll loop).
#include <memcache/client.hpp>

#include <exception>
#include <future>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <asio/io_context.hpp>

#include <memcache/error_code.hpp>

#include "commands/broadcast.hpp"
#include "commands/cas_cache.hpp"
#include "commands/get_or_set.hpp"
#include "commands/key_check.hpp"
#include "commands/multi_key.hpp"
#include "commands/single_flight.hpp"
#include "commands/single_key.hpp"
#include "protocol/stats_items.hpp"
#include "support/debug_log.hpp"
#include "sync/current_servers.hpp"
#include "sync/run_command.hpp"
#include "sync/servers.hpp"

namespace memcache {

using detail::BroadcastCommand;
using detail::LineCommand;

struct Client::Impl {
  Impl(const std::vector<Server>& list, Options opts) : options(std::move(opts)), servers(make_servers(list)) {}

  std::unique_ptr<detail::SyncServers> make_servers(const std::vector<Server>& list) {
    auto topology = std::make_shared<detail::Topology>(list, options, [this](std::string_view m) { debuglog(m); });
    return std::make_unique<detail::SyncServers>(std::move(topology), options, io);
  }

  detail::CurrentServers::Use snapshot() const { return servers.use(); }

  template <class Cmd>
  void run(Cmd& command) {
    detail::run_command(command, *snapshot(), options);
  }

  void debuglog(std::string_view message) const { detail::debug_log(options, message); }

  /// Room for the keys of a get_multi's lines, kept from call to call on this
  /// thread: one list of views, never a large allocation per call. A call made
  /// while the thread's room is in use (from a get_multi_each visitor) gets a
  /// list of its own.
  class SentKeys {
   public:
    SentKeys() {
      Room& room = thread_room();
      if (room.busy) return;
      constexpr std::size_t kept_bytes = 64 * 1024;
      if (room.keys.capacity() * sizeof(std::string_view) > kept_bytes) std::vector<std::string_view>().swap(room.keys);
      room.busy = true;
      shared_ = &room;
    }
    ~SentKeys() {
      if (shared_) shared_->busy = false;
    }
    SentKeys(const SentKeys&) = delete;
    SentKeys& operator=(const SentKeys&) = delete;
    std::vector<std::string_view>& get() { return shared_ ? shared_->keys : own_; }

   private:
    struct Room {
      std::vector<std::string_view> keys;
      bool busy = false;
    };
    static Room& thread_room() {
      thread_local Room room;
      return room;
    }
    Room* shared_ = nullptr;
    std::vector<std::string_view> own_;
  };

  /// Stats lines of every server that answered, with python-memcached's name for it.
  template <class Map, class Convert>
  std::vector<std::pair<std::string, Map>> stats(std::string_view args, Convert convert) {
    auto list = snapshot();
    auto command = BroadcastCommand::stats(args);
    detail::run_command(command, *list, options);
    std::vector<std::pair<std::string, Map>> out;
    for (auto& [index, lines] : command.answered()) {
      const auto& server = list->state(index);
      out.emplace_back(server.address().stats_name(server.weight()), convert(lines));
    }
    return out;
  }

  Options options;
  asio::io_context io;  // the sync sockets' only use of it: their construction
  detail::CurrentServers servers;
  detail::CasCache cas_cache;
  detail::SingleFlight flights;
};

Client::Client(std::vector<Server> servers, Options options)
    : impl_(std::make_unique<Impl>(servers, std::move(options))) {}
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

// -- storage ------------------------------------------------------------------

bool Client::store(detail::StoreVerb verb, const Key& key, const detail::Encoded& val, Expiry time,
                   std::size_t min_compress_len, bool noreply, std::optional<std::uint64_t> cas_unique) {
  detail::StoreCommand command(verb, key, val, time, min_compress_len, noreply, cas_unique, impl_->options,
                               impl_->cas_cache);
  impl_->run(command);
  command.finish();
  return command.stored();
}

std::vector<std::string> Client::store_multi(const std::vector<std::pair<Key, detail::Encoded>>& items, Expiry time,
                                             std::string_view prefix, std::size_t min_compress_len, bool noreply) {
  detail::SetMultiCommand command(items, time, prefix, min_compress_len, noreply, impl_->options);
  impl_->run(command);
  std::vector<std::string> out;
  for (std::size_t i : command.not_stored()) out.emplace_back(items[i].first.text);
  return out;
}

// -- retrieval ----------------------------------------------------------------

std::optional<Value> Client::fetch(const Key& key, bool with_cas, std::uint64_t* cas_out, std::optional<Expiry> touch) {
  detail::GetCommand command(key, with_cas, impl_->options,
                             touch ? std::optional<std::int64_t>(touch->wire_value()) : std::nullopt);
  impl_->run(command);
  command.finish(impl_->cas_cache);
  if (cas_out) *cas_out = command.cas_unique();
  return command.take_value();
}

Client::FoundList Client::fetch_multi(const KeyList& keys, std::string_view prefix) {
  Impl::SentKeys room;
  detail::GetMultiCommand command(keys, prefix, impl_->options, room.get());
  impl_->run(command);
  return command.take_found();
}

std::size_t Client::visit_multi(const KeyList& keys, std::string_view prefix,
                                detail::FunctionRef<void(std::string_view, Value::View)> visit) {
  Impl::SentKeys room;
  detail::GetMultiCommand command(keys, prefix, impl_->options, room.get(), visit);
  impl_->run(command);
  if (command.visitor_error()) std::rethrow_exception(command.visitor_error());
  return command.visited();
}

// -- deletion and single-line commands ------------------------------------------

bool Client::remove_multi(const KeyList& keys, Expiry time, std::string_view prefix, bool noreply) {
  detail::DeleteMultiCommand command(keys, time, prefix, noreply, impl_->options);
  impl_->run(command);
  return command.all_reached();
}

bool Client::del(const Key& key, bool noreply) {
  LineCommand command(LineCommand::Verb::del, key, 0, noreply, impl_->options);
  impl_->run(command);
  command.finish();
  return command.confirmed();
}

bool Client::touch(const Key& key, Expiry time, bool noreply) {
  LineCommand command(LineCommand::Verb::touch, key, static_cast<std::uint64_t>(time.wire_value()), noreply,
                      impl_->options);
  impl_->run(command);
  command.finish();
  return command.confirmed();
}

std::optional<std::uint64_t> Client::incr(const Key& key, std::uint64_t delta, bool noreply) {
  return arith(true, key, delta, noreply);
}

std::optional<std::uint64_t> Client::decr(const Key& key, std::uint64_t delta, bool noreply) {
  return arith(false, key, delta, noreply);
}

std::optional<std::uint64_t> Client::arith(bool incr, const Key& key, std::uint64_t delta, bool noreply) {
  LineCommand command(incr ? LineCommand::Verb::incr : LineCommand::Verb::decr, key, delta, noreply, impl_->options);
  impl_->run(command);
  command.finish();
  if (command.reply_error() == errc::bad_value) {
    throw ValueError(
        fmt::format("{} of key \"{}\" failed: {}", incr ? "incr" : "decr", key.text, command.reply_text()));
  }
  return command.number();
}

// -- stampede-safe caching ------------------------------------------------------

std::optional<Value> Client::stampede(const Key& key, detail::UniqueFunction<detail::Encoded()>& compute, Expiry time) {
  using detail::GetOrSetFlow;
  using detail::SingleFlight;
  auto servers = impl_->snapshot();
  GetOrSetFlow flow(key, time, impl_->options, servers->topology());
  const std::string flight = SingleFlight::flight_key(key.text, key.hash);

  auto answer = std::make_shared<std::promise<SingleFlight::Outcome>>();
  SingleFlight::Waiter waiter = [answer](const SingleFlight::Outcome& o) { answer->set_value(o); };
  if (!impl_->flights.join(flight, waiter)) {
    SingleFlight::Outcome outcome = answer->get_future().get();
    if (outcome.error) std::rethrow_exception(outcome.error);
    return std::move(outcome.value);
  }

  // This caller leads: whatever happens, the callers waiting on it are answered.
  SingleFlight::Outcome outcome;
  struct Finish {
    SingleFlight& flights;
    const std::string& flight;
    SingleFlight::Outcome& outcome;
    ~Finish() {
      if (!outcome.value && !outcome.error) outcome.error = std::make_exception_ptr(Error("get_or_set failed"));
      flights.finish(flight, outcome);
    }
  } finish{impl_->flights, flight, outcome};
  bool stale_published = false;
  for (;;) {
    switch (flow.step()) {
      case GetOrSetFlow::Step::run:
        detail::run_command(flow.command(), *servers, impl_->options);
        flow.answered();
        if (flow.stale() && !stale_published) {
          stale_published = true;
          impl_->flights.publish_stale(flight, *flow.stale());
        }
        break;
      case GetOrSetFlow::Step::compute:
        try {
          detail::Encoded value = compute();
          outcome.value.emplace(std::string(value.bytes()), value.flags());
          flow.computed(std::move(value));
        } catch (...) {
          outcome.error = std::current_exception();
          flow.compute_threw();
        }
        break;
      case GetOrSetFlow::Step::wait:
        std::this_thread::sleep_for(flow.delay());
        flow.waited();
        break;
      case GetOrSetFlow::Step::done:
        if (outcome.error) std::rethrow_exception(outcome.error);
        if (outcome.value) return std::nullopt;  // computed here: the caller has it
        outcome.value = flow.take_found();
        return outcome.value;
    }
  }
}

bool Client::invalidate(const Key& key) {
  auto servers = impl_->snapshot();
  detail::InvalidateFlow flow(key, impl_->options, servers->topology());
  while (flow.step() == detail::InvalidateFlow::Step::run) {
    detail::run_command(flow.command(), *servers, impl_->options);
    flow.answered();
  }
  return flow.existed();
}

// -- servers ------------------------------------------------------------------

ServerStats Client::get_stats(std::string_view args) {
  return impl_->stats<StatsMap>(args, [](const auto& lines) { return StatsMap(lines.begin(), lines.end()); });
}

ServerSlabs Client::get_slabs() {
  return impl_->stats<SlabsMap>("items", [](const auto& lines) { return detail::slabs_from_items(lines); });
}

bool Client::flush_all() {
  auto command = BroadcastCommand::flush_all();
  impl_->run(command);
  command.answered();  // a server that answered but not OK is not confirmed
  return command.all_answered();
}

void Client::disconnect_all() { impl_->snapshot()->disconnect_all(); }

void Client::forget_dead_hosts() {
  for (const auto& server : impl_->snapshot()->topology().servers) server->revive();
}

void Client::set_servers(std::vector<Server> servers) { impl_->servers.replace(impl_->make_servers(servers)); }

void Client::reset_cas() { impl_->cas_cache.clear(); }

}  // namespace memcache
