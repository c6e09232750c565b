#include <memcache/detail/async_engine.hpp>

#include <algorithm>
#include <iterator>
#include <unordered_map>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/strand.hpp>
#include <fmt/format.h>

#include <memcache/error_code.hpp>

#include "async/connection.hpp"
#include "debug_log.hpp"
#include "key_check.hpp"
#include "prepared_value.hpp"
#include "protocol/operations.hpp"
#include "protocol/requests.hpp"
#include "topology.hpp"

namespace memcache::detail {

using protocol::LineOperation;
using protocol::ReplyType;
using protocol::RetrievalOperation;
using protocol::StatsOperation;

namespace {
constexpr std::size_t keys_per_get = 100;

// Completes a multi-request call once every part has reported.
template <class State>
auto part_done(std::shared_ptr<State> state) {
  return [state](std::error_code ec) {
    if (ec) state->failed_parts++;
    if (--state->remaining == 0) state->finish();
  };
}
}  // namespace

struct AsyncEngine::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor, const std::vector<Server>& servers, Options opts)
      : options(std::move(opts)),
        strand(asio::make_strand(executor)),
        topology(std::make_shared<Topology>(servers, options, unused_io, [this](std::string_view m) { log(m); })),
        connections(topology->hosts.size()) {}

  void log(std::string_view message) const { debug_log(options, message); }

  /// Runs `fn` on the strand, keeping the engine alive until then.
  template <class Fn>
  void on_strand(Fn&& fn) {
    asio::post(strand, [self = shared_from_this(), fn = std::forward<Fn>(fn)]() mutable { fn(*self); });
  }

  /// The server for `key`, skipping dead ones and those in `failed_on`.
  std::optional<std::size_t> route(std::string_view key, std::optional<std::uint64_t> hash,
                                   const std::vector<std::size_t>& failed_on = {}) {
    return topology->ring.pick(key, hash, [&](std::size_t i) {
      return !topology->hosts[i]->is_dead() &&
             std::find(failed_on.begin(), failed_on.end(), i) == failed_on.end();
    });
  }

  AsyncConnection& connection(std::size_t server) {
    auto& slot = connections[server];
    if (!slot) {
      std::weak_ptr<Impl> weak = shared_from_this();
      slot = std::make_shared<AsyncConnection>(
          strand, topology, *topology->hosts[server], options,
          [weak](AsyncRequest&& r, std::error_code ec, bool server_failed) {
            if (auto self = weak.lock()) {
              self->reroute(std::move(r), ec, server_failed);
            } else {
              r.done(asio::error::operation_aborted);
            }
          },
          [weak, server](const AsyncConnection* c) {
            if (auto self = weak.lock()) {
              if (self->connections[server].get() == c) self->connections[server].reset();
            }
          });
    }
    return *slot;
  }

  /// Sends a single-key request to its key's server.
  void submit(AsyncRequest&& r, std::error_code last_error = make_error_code(errc::no_server)) {
    auto server = route(*r.route_key, r.hash, r.failed_on);
    if (!server) {
      r.done(last_error);
      return;
    }
    r.server = *server;
    connection(*server).submit(std::move(r));
  }

  void reroute(AsyncRequest&& r, std::error_code ec, bool server_failed) {
    if (stopping) {
      r.done(asio::error::operation_aborted);
    } else if (!server_failed) {
      connection(r.server).submit(std::move(r));
    } else if (r.route_key) {
      // Rehashed past the failed server, as python-memcached does; each
      // server is tried once per request, so dead_retry = 0 cannot loop.
      r.failed_on.push_back(r.server);
      submit(std::move(r), ec);
    } else {
      r.done(ec);
    }
  }

  void shutdown() {
    stopping = true;
    // Each shutdown reports back through `closed`, which empties its slot.
    auto all = connections;
    for (auto& c : all) {
      if (c) c->shutdown();
    }
  }

  /// Checks keys as the sync client does; false (and `done` told) if bad.
  bool check(std::string_view key, std::size_t extra) {
    if (!options.check_keys) return true;
    try {
      check_key(key, extra, options.server_max_key_length);
      return true;
    } catch (const KeyError& e) {
      log(e.what());
      return false;
    }
  }

  // A single-key request answered by one line; `interpret` turns the line into
  // the callback's arguments.
  template <class Encode, class Interpret>
  void line_request(OwnedKey&& key, bool noreply, LineOperation prototype, Encode encode,
                    Interpret interpret) {
    AsyncRequest r;
    encode(r.bytes);
    LineOperation* op = nullptr;
    if (!noreply) {
      auto owned = std::make_shared<LineOperation>(std::move(prototype));
      op = owned.get();
      r.op = op;
      r.owner = std::move(owned);
    }
    r.done = [op, interpret = std::move(interpret)](std::error_code ec) mutable { interpret(ec, op); };
    r.route_key = std::move(key.text);
    r.hash = key.hash;
    submit(std::move(r));
  }

  Options options;
  asio::io_context unused_io;  // Host's sync pool is never used by the async engine
  asio::strand<asio::any_io_executor> strand;
  std::shared_ptr<Topology> topology;
  std::vector<std::shared_ptr<AsyncConnection>> connections;
  std::unordered_map<std::string, std::uint64_t> cas_ids;  // cache_cas; strand only
  bool stopping = false;
};

AsyncEngine::AsyncEngine(asio::any_io_executor executor, std::vector<Server> servers, Options options)
    : impl_(std::make_shared<Impl>(std::move(executor), servers, std::move(options))) {}

AsyncEngine::~AsyncEngine() {
  impl_->on_strand([](Impl& self) { self.shutdown(); });
}

const Options& AsyncEngine::options() const { return impl_->options; }
void AsyncEngine::log(std::string_view message) const { impl_->log(message); }

void AsyncEngine::get(OwnedKey key, bool with_cas, ValueCallback done) {
  impl_->on_strand([key = std::move(key), with_cas, done = std::move(done)](Impl& self) mutable {
    if (!self.check(key.text, 0)) return done(make_error_code(errc::bad_key), std::nullopt, 0);
    struct State {
      std::string key;
      std::optional<Value> value;
      std::uint64_t cas = 0;
    };
    auto state = std::make_shared<State>();
    state->key = key.text;
    AsyncRequest r;
    protocol::begin_retrieval(r.bytes, with_cas);
    protocol::append_key(r.bytes, {}, key.text);
    protocol::finish_line(r.bytes);
    auto op = std::make_shared<RetrievalOperation>(std::vector<std::string_view>{state->key}, 0,
                                                   [state](std::size_t, const protocol::Reply& reply) {
                                                     state->value.emplace(std::string(reply.data), reply.flags);
                                                     state->cas = reply.cas;
                                                   });
    r.op = op.get();
    r.owner = std::move(op);
    r.done = [state, with_cas, weak = self.weak_from_this(), done = std::move(done)](std::error_code ec) mutable {
      if (ec) return done(ec, std::nullopt, 0);
      auto engine = weak.lock();
      if (with_cas && state->value && engine && engine->options.cache_cas) {
        engine->cas_ids.insert_or_assign(state->key, state->cas);
      }
      done({}, std::move(state->value), state->cas);
    };
    r.route_key = std::move(key.text);
    r.hash = key.hash;
    r.batchable = with_cas ? AsyncRequest::Batchable::gets : AsyncRequest::Batchable::get;
    self.submit(std::move(r));
  });
}

void AsyncEngine::store(StoreCommand cmd, OwnedKey key, OwnedValue value, Expiry time, std::size_t min_compress_len,
                        bool noreply, std::optional<std::uint64_t> cas_unique, BoolCallback done) {
  impl_->on_strand([=, key = std::move(key), value = std::move(value), done = std::move(done)](Impl& self) mutable {
    if (!self.check(key.text, 0)) return done(make_error_code(errc::bad_key), false);
    if (cmd == StoreCommand::cas && !cas_unique) {
      // python-memcached: cas with the unique `gets` remembered, else set.
      auto it = self.cas_ids.find(key.text);
      if (self.options.cache_cas && it != self.cas_ids.end()) {
        cas_unique = it->second;
      } else {
        cmd = StoreCommand::set;
      }
    }
    std::string scratch;
    auto prepared = prepare_value(value.bytes, value.flags, value.compressible, min_compress_len, self.options,
                                  scratch, [&self](std::string_view m) { self.log(m); });
    if (!prepared) return done({}, false);
    AsyncRequest r;
    protocol::encode_storage(r.bytes, command_name(cmd), key.text, prepared->flags, time.wire_value(),
                             prepared->bytes, cmd == StoreCommand::cas ? cas_unique : std::nullopt, noreply);
    LineOperation* op = nullptr;
    if (!noreply) {
      auto owned = std::make_shared<LineOperation>(LineOperation::storage());
      op = owned.get();
      r.op = op;
      r.owner = std::move(owned);
    }
    r.done = [op, done = std::move(done)](std::error_code ec) mutable {
      if (ec) return done(ec, false);
      done({}, op == nullptr || op->type() == ReplyType::stored);
    };
    r.route_key = std::move(key.text);
    r.hash = key.hash;
    self.submit(std::move(r));
  });
}

void AsyncEngine::arith(bool incr, OwnedKey key, std::uint64_t delta, bool noreply, NumberCallback done) {
  impl_->on_strand([=, key = std::move(key), done = std::move(done)](Impl& self) mutable {
    if (!self.check(key.text, 0)) return done(make_error_code(errc::bad_key), std::nullopt);
    std::string k = key.text;
    self.line_request(
        std::move(key), noreply, LineOperation::arith(),
        [&](std::string& out) { protocol::encode_arith(out, incr, k, delta, noreply); },
        [done = std::move(done)](std::error_code ec, LineOperation* op) mutable {
          if (ec || op == nullptr) return done(ec, std::nullopt);
          if (op->type() == ReplyType::number) return done({}, op->number());
          if (op->type() == ReplyType::client_error) return done(make_error_code(errc::bad_value), std::nullopt);
          if (op->type() == ReplyType::server_error || op->type() == ReplyType::error) {
            return done(make_error_code(errc::server_error), std::nullopt);
          }
          done({}, std::nullopt);
        });
  });
}

void AsyncEngine::del(OwnedKey key, bool noreply, BoolCallback done) {
  impl_->on_strand([=, key = std::move(key), done = std::move(done)](Impl& self) mutable {
    if (!self.check(key.text, 0)) return done(make_error_code(errc::bad_key), false);
    std::string k = key.text;
    self.line_request(
        std::move(key), noreply, LineOperation::deletion(),
        [&](std::string& out) { protocol::encode_delete(out, k, 0, noreply); },
        [done = std::move(done)](std::error_code ec, LineOperation* op) mutable {
          done(ec, !ec && (op == nullptr || op->type() == ReplyType::deleted));
        });
  });
}

void AsyncEngine::touch(OwnedKey key, Expiry time, bool noreply, BoolCallback done) {
  impl_->on_strand([=, key = std::move(key), done = std::move(done)](Impl& self) mutable {
    if (!self.check(key.text, 0)) return done(make_error_code(errc::bad_key), false);
    std::string k = key.text;
    self.line_request(
        std::move(key), noreply, LineOperation::touch(),
        [&](std::string& out) { protocol::encode_touch(out, k, time.wire_value(), noreply); },
        [done = std::move(done)](std::error_code ec, LineOperation* op) mutable {
          done(ec, !ec && (op == nullptr || op->type() == ReplyType::touched));
        });
  });
}

void AsyncEngine::get_multi(std::vector<OwnedKey> keys, std::string prefix, ValuesCallback done) {
  impl_->on_strand([keys = std::move(keys), prefix = std::move(prefix), done = std::move(done)](Impl& self) mutable {
    if (!prefix.empty() && !self.check(prefix, 0)) return done(make_error_code(errc::bad_key), {});
    for (const auto& k : keys) {
      if (!self.check(k.text, prefix.size())) return done(make_error_code(errc::bad_key), {});
    }
    struct State {
      std::vector<std::string> wire;
      std::vector<std::pair<std::size_t, Value>> found;
      std::size_t remaining = 0;
      std::size_t failed_parts = 0;
      ValuesCallback done;
      void finish() { done({}, std::move(found)); }
    };
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    state->wire.reserve(keys.size());
    std::vector<std::vector<std::size_t>> per_server(self.topology->hosts.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      state->wire.push_back(prefix + keys[i].text);
      if (auto server = self.route(state->wire.back(), keys[i].hash)) per_server[*server].push_back(i);
    }
    std::vector<std::pair<std::size_t, AsyncRequest>> requests;
    for (std::size_t s = 0; s < per_server.size(); ++s) {
      auto indices = std::make_shared<std::vector<std::size_t>>(std::move(per_server[s]));
      for (std::size_t begin = 0; begin < indices->size(); begin += keys_per_get) {
        const std::size_t end = std::min(indices->size(), begin + keys_per_get);
        AsyncRequest r;
        std::vector<std::string_view> sent;
        protocol::begin_retrieval(r.bytes, false);
        for (std::size_t j = begin; j < end; ++j) {
          protocol::append_key(r.bytes, {}, state->wire[(*indices)[j]]);
          sent.push_back(state->wire[(*indices)[j]]);
        }
        protocol::finish_line(r.bytes);
        // Values count only once their whole chunk arrived, as in the sync client.
        auto chunk = std::make_shared<std::vector<std::pair<std::size_t, Value>>>();
        auto op = std::make_shared<RetrievalOperation>(
            std::move(sent), begin, [chunk, indices](std::size_t pos, const protocol::Reply& reply) {
              chunk->emplace_back((*indices)[pos], Value(std::string(reply.data), reply.flags));
            });
        r.op = op.get();
        r.owner = std::move(op);
        auto finish_part = part_done(state);
        r.done = [state, chunk, finish_part](std::error_code ec) mutable {
          if (!ec) std::move(chunk->begin(), chunk->end(), std::back_inserter(state->found));
          finish_part(ec);
        };
        r.server = s;
        requests.emplace_back(s, std::move(r));
      }
    }
    if (requests.empty()) {
      return state->done(keys.empty() ? std::error_code() : make_error_code(errc::no_server), {});
    }
    state->remaining = requests.size();
    for (auto& [server, r] : requests) self.connection(server).submit(std::move(r));
  });
}

void AsyncEngine::set_multi(std::vector<std::pair<OwnedKey, OwnedValue>> items, Expiry time, std::string prefix,
                            std::size_t min_compress_len, bool noreply, IndicesCallback done) {
  impl_->on_strand([=, items = std::move(items), prefix = std::move(prefix), done = std::move(done)](Impl& self) mutable {
    if (!prefix.empty() && !self.check(prefix, 0)) return done(make_error_code(errc::bad_key), {});
    for (const auto& item : items) {
      if (!self.check(item.first.text, prefix.size())) return done(make_error_code(errc::bad_key), {});
    }
    struct State {
      std::vector<std::size_t> not_stored;
      std::size_t remaining = 0;
      std::size_t failed_parts = 0;
      IndicesCallback done;
      void finish() {
        std::sort(not_stored.begin(), not_stored.end());
        done({}, std::move(not_stored));
      }
    };
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    // One request per server holding all its sets, pipelined.
    struct Batch {
      AsyncRequest request;
      std::vector<std::pair<std::size_t, LineOperation*>> ops;
      std::vector<std::unique_ptr<LineOperation>> owned;
    };
    std::vector<std::optional<Batch>> batches(self.topology->hosts.size());
    std::string scratch;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& [key, value] = items[i];
      const std::string wire = prefix + key.text;
      auto prepared = prepare_value(value.bytes, value.flags, value.compressible, min_compress_len, self.options,
                                    scratch, [&self](std::string_view m) { self.log(m); });
      auto server = prepared ? self.route(wire, key.hash) : std::nullopt;
      if (!server) {
        state->not_stored.push_back(i);
        continue;
      }
      auto& batch = batches[*server];
      if (!batch) batch.emplace();
      protocol::encode_storage(batch->request.bytes, "set", wire, prepared->flags, time.wire_value(),
                               prepared->bytes, std::nullopt, noreply);
      if (!noreply) {
        batch->owned.push_back(std::make_unique<LineOperation>(LineOperation::storage()));
        batch->ops.emplace_back(i, batch->owned.back().get());
      }
    }
    std::size_t parts = 0;
    for (auto& b : batches) parts += b ? 1u : 0u;
    if (parts == 0) return state->finish();
    state->remaining = parts;
    for (std::size_t s = 0; s < batches.size(); ++s) {
      if (!batches[s]) continue;
      Batch& b = *batches[s];
      // Several operations share one request: a small sequence operation
      // hands each reply to the next set.
      struct Sequence final : protocol::Operation {
        std::vector<std::unique_ptr<LineOperation>> ops;
        std::size_t next = 0;
        bool on_reply(const protocol::Reply& reply) override {
          ops[next]->on_reply(reply);
          return ++next == ops.size();
        }
      };
      auto ops = std::move(b.ops);
      if (!noreply) {
        auto seq = std::make_shared<Sequence>();
        seq->ops = std::move(b.owned);
        b.request.op = seq.get();
        b.request.owner = std::move(seq);
      }
      auto finish_part = part_done(state);
      b.request.done = [state, ops = std::move(ops), finish_part](std::error_code ec) mutable {
        for (const auto& [index, op] : ops) {
          if (ec || op->type() != ReplyType::stored) state->not_stored.push_back(index);
        }
        finish_part(ec);
      };
      b.request.server = s;
      self.connection(s).submit(std::move(b.request));
    }
  });
}

void AsyncEngine::delete_multi(std::vector<OwnedKey> keys, Expiry time, std::string prefix, bool noreply,
                               BoolCallback done) {
  impl_->on_strand([=, keys = std::move(keys), prefix = std::move(prefix), done = std::move(done)](Impl& self) mutable {
    if (!prefix.empty() && !self.check(prefix, 0)) return done(make_error_code(errc::bad_key), false);
    for (const auto& k : keys) {
      if (!self.check(k.text, prefix.size())) return done(make_error_code(errc::bad_key), false);
    }
    struct State {
      bool all_routed = true;
      std::size_t remaining = 0;
      std::size_t failed_parts = 0;
      BoolCallback done;
      void finish() { done({}, all_routed && failed_parts == 0); }
    };
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    std::vector<std::optional<std::pair<AsyncRequest, std::size_t>>> per_server(self.topology->hosts.size());
    for (const auto& k : keys) {
      const std::string wire = prefix + k.text;
      auto server = self.route(wire, k.hash);
      if (!server) {
        state->all_routed = false;
        continue;
      }
      auto& slot = per_server[*server];
      if (!slot) slot.emplace(AsyncRequest{}, 0);
      protocol::encode_delete(slot->first.bytes, wire, time.wire_value(), noreply);
      slot->second++;
    }
    std::size_t parts = 0;
    for (auto& p : per_server) parts += p ? 1u : 0u;
    if (parts == 0) return state->finish();
    state->remaining = parts;
    for (std::size_t s = 0; s < per_server.size(); ++s) {
      if (!per_server[s]) continue;
      auto& [r, count] = *per_server[s];
      if (!noreply) {
        struct Deletes final : protocol::Operation {
          std::size_t left;
          explicit Deletes(std::size_t n) : left(n) {}
          bool on_reply(const protocol::Reply& reply) override {
            LineOperation::deletion().on_reply(reply);  // validates the reply type
            return --left == 0;
          }
        };
        auto op = std::make_shared<Deletes>(count);
        r.op = op.get();
        r.owner = std::move(op);
      }
      r.done = part_done(state);
      r.server = s;
      self.connection(s).submit(std::move(r));
    }
  });
}

void AsyncEngine::stats(std::string args, StatsCallback done) {
  impl_->on_strand([args = std::move(args), done = std::move(done)](Impl& self) mutable {
    using Lines = std::vector<std::pair<std::string, std::string>>;
    struct State {
      std::vector<std::optional<std::pair<std::string, Lines>>> per_server;
      std::size_t remaining = 0;
      std::size_t failed_parts = 0;
      StatsCallback done;
      void finish() {
        std::vector<std::pair<std::string, Lines>> out;
        for (auto& s : per_server) {
          if (s) out.push_back(std::move(*s));
        }
        done({}, std::move(out));
      }
    };
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    const auto& hosts = self.topology->hosts;
    state->per_server.resize(hosts.size());
    std::vector<std::size_t> live;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      if (!hosts[i]->is_dead()) live.push_back(i);
    }
    if (live.empty()) return state->finish();
    state->remaining = live.size();
    const std::string line = args.empty() ? std::string("stats") : "stats " + args;
    for (std::size_t i : live) {
      auto lines = std::make_shared<Lines>();
      AsyncRequest r;
      protocol::encode_line(r.bytes, line);
      auto op = std::make_shared<StatsOperation>([lines](std::string_view name, std::string_view value) {
        lines->emplace_back(std::string(name), std::string(value));
      });
      r.op = op.get();
      r.owner = std::move(op);
      auto finish_part = part_done(state);
      const Host& host = *hosts[i];
      r.done = [state, lines, i, name = host.address().stats_name(host.weight()), finish_part](std::error_code ec) mutable {
        if (!ec) state->per_server[i].emplace(std::move(name), std::move(*lines));
        finish_part(ec);
      };
      r.server = i;
      self.connection(i).submit(std::move(r));
    }
  });
}

void AsyncEngine::flush_all(DoneCallback done) {
  impl_->on_strand([done = std::move(done)](Impl& self) mutable {
    struct State {
      std::size_t remaining = 0;
      std::size_t failed_parts = 0;
      DoneCallback done;
      void finish() { done({}); }
    };
    auto state = std::make_shared<State>();
    state->done = std::move(done);
    const auto& hosts = self.topology->hosts;
    std::vector<std::size_t> live;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      if (!hosts[i]->is_dead()) live.push_back(i);
    }
    if (live.empty()) return state->finish();
    state->remaining = live.size();
    for (std::size_t i : live) {
      AsyncRequest r;
      protocol::encode_line(r.bytes, "flush_all");
      auto op = std::make_shared<LineOperation>(LineOperation::flush());
      r.op = op.get();
      r.owner = std::move(op);
      r.done = part_done(state);
      r.server = i;
      self.connection(i).submit(std::move(r));
    }
  });
}

}  // namespace memcache::detail
