// The async front door's engine: each call is planned by the same command
// as in the sync client (src/commands); this file only turns its parts into
// requests on the pipelined connections and reports back on the strand.
#include <memcache/detail/async_engine.hpp>

#include <algorithm>
#include <exception>

#include <fmt/format.h>
#include <asio/bind_executor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <memcache/error.hpp>
#include <memcache/error_code.hpp>

#include "async/connection.hpp"
#include "cluster/topology.hpp"
#include "commands/broadcast.hpp"
#include "commands/cas_cache.hpp"
#include "commands/get_or_set.hpp"
#include "commands/multi_key.hpp"
#include "commands/single_flight.hpp"
#include "commands/single_key.hpp"
#include "support/debug_log.hpp"

namespace memcache::detail {

namespace {

Key view_of(const OwnedKey& k) { return k.hash ? Key(*k.hash, k.text) : Key(k.text); }

/// What a single-key async call keeps alive until it completes: its key (and
/// value), and the command planned over them.
template <class Cmd>
struct OneKey {
  explicit OneKey(OwnedKey k) : key(std::move(k)) {}
  OwnedKey key;
  std::optional<Encoded> value;
  std::optional<Cmd> command;
  Key view() const { return view_of(key); }
};

/// The same for a multi-key (or keyless) call.
template <class Cmd>
struct ManyKeys {
  std::deque<OwnedKey> keys;
  KeyList key_views;
  std::vector<std::pair<Key, Encoded>> items;
  std::vector<std::string_view> sent_keys;
  std::string prefix;
  std::optional<Cmd> command;

  void own_keys(std::vector<OwnedKey> owned) {
    for (auto& k : owned) key_views.push_back(view_of(keys.emplace_back(std::move(k))));
  }
};

/// What one get_or_set keeps alive until it is done: its key, the topology
/// its flow plans against, the flow, and the wait timer.
struct Flight {
  Flight(OwnedKey k, std::shared_ptr<Topology> t, AsyncEngine::Compute c, asio::strand<asio::any_io_executor>& strand)
      : key(std::move(k)), topology(std::move(t)), compute(std::move(c)), timer(strand) {}
  OwnedKey key;
  std::shared_ptr<Topology> topology;
  AsyncEngine::Compute compute;
  std::shared_ptr<AsyncEngine::FoundCallback> done;
  std::string name;
  std::optional<GetOrSetFlow> flow;
  asio::steady_timer timer;
  SingleFlight::Outcome outcome;
  bool threw = false;
  bool stale_published = false;
};

/// What one invalidate keeps alive until it is done.
struct Invalidation {
  Invalidation(OwnedKey k, std::shared_ptr<Topology> t, AsyncEngine::BoolCallback d)
      : key(std::move(k)), topology(std::move(t)), done(std::move(d)) {}
  OwnedKey key;
  std::shared_ptr<Topology> topology;
  std::optional<InvalidateFlow> flow;
  AsyncEngine::BoolCallback done;
};

}  // namespace

struct AsyncEngine::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor, const std::vector<Server>& servers, Options opts)
      : options(std::move(opts)),
        strand(asio::make_strand(executor)),
        topology(std::make_shared<Topology>(servers, options, [this](std::string_view m) { log(m); })),
        connections(topology->servers.size()),
        admin_connections(topology->servers.size()) {}

  void log(std::string_view message) const { debug_log(options, message); }

  /// Routing for commands: a server is usable unless it is marked dead.
  class Routes final : public Router {
   public:
    explicit Routes(Impl& impl) : impl_(impl) {}
    std::optional<std::size_t> route(std::string_view key, std::optional<std::uint64_t> hash) override {
      return impl_.route(key, hash);
    }
    bool usable(std::size_t index) override { return impl_.topology->servers[index]->usable(); }
    std::size_t servers() const override { return impl_.topology->servers.size(); }

   private:
    Impl& impl_;
  };

  /// Runs `fn` on the strand, keeping the engine alive until then.
  template <class Fn>
  void on_strand(Fn&& fn) {
    asio::post(strand, [self = shared_from_this(), fn = std::forward<Fn>(fn)]() mutable { fn(*self); });
  }

  /// The server for `key`, skipping dead ones and those in `failed_on`
  /// (asked first: usable() may make this call a dead server's probe).
  std::optional<std::size_t> route(std::string_view key, std::optional<std::uint64_t> hash,
                                   const std::vector<std::size_t>& failed_on = {}) {
    return topology->selector.pick(key, hash, [&](std::size_t i) {
      return std::find(failed_on.begin(), failed_on.end(), i) == failed_on.end() && topology->servers[i]->usable();
    });
  }

  /// The pipelined connection to `server`; `admin` requests (stats,
  /// flush_all) get one of their own, whose failure (twemproxy closes the
  /// connection on `stats`) neither marks the server dead nor fails the
  /// data requests pipelined on the other.
  AsyncConnection& connection(std::size_t server, bool admin = false) {
    auto& slot = (admin ? admin_connections : connections)[server];
    if (!slot) {
      std::weak_ptr<Impl> weak = shared_from_this();
      slot = std::make_shared<AsyncConnection>(
          strand, topology, *topology->servers[server], options,
          [weak](AsyncRequest&& r, std::error_code ec, bool server_failed) {
            if (auto self = weak.lock()) {
              self->reroute(std::move(r), ec, server_failed);
            } else {
              r.done(asio::error::operation_aborted);
            }
          },
          [weak, server, admin](const AsyncConnection* c) {
            if (auto self = weak.lock()) {
              auto& closed = (admin ? self->admin_connections : self->connections)[server];
              if (closed.get() == c) closed.reset();
            }
          });
      if (admin) slot->serve_admin_only();
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
      connection(r.server, r.admin).submit(std::move(r));
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
    for (const auto* list : {&connections, &admin_connections}) {
      auto all = *list;
      for (auto& c : all) {
        if (c) c->shutdown();
      }
    }
  }

  /// Sends every part of `command` (planned here) to its server; `finish`
  /// runs once all are answered or failed. `held` owns the command.
  template <class Finish>
  void start(std::shared_ptr<void> held, Command& command, Finish finish,
             AsyncRequest::Batchable batchable = AsyncRequest::Batchable::no) {
    Routes routes(*this);
    command.plan(routes);
    const std::size_t parts = command.parts();
    if (parts == 0) return finish();
    struct Progress {
      std::size_t remaining;
      Finish finish;
    };
    auto progress = std::make_shared<Progress>(Progress{parts, std::move(finish)});
    for (std::size_t p = 0; p < parts; ++p) {
      AsyncRequest r;
      r.op = command.encode(p, r.bytes);
      r.owner = held;
      r.server = command.server(p);
      r.route_key = command.route_key();
      r.hash = command.route_hash();
      r.batchable = batchable;
      r.admin = command.admin();
      r.done = [&command, p, progress](std::error_code ec) {
        if (ec) command.failed(p, ec);
        if (--progress->remaining == 0) progress->finish();
      };
      connection(r.server, r.admin).submit(std::move(r));
    }
  }

  /// Builds `Cmd` in `held` (its constructor checks the keys); false, with
  /// `done` told bad_key, when a key is bad.
  template <class Held, class Done, class... Args>
  bool make(Held& held, Done& done, Args&&... args) {
    try {
      held.command.emplace(std::forward<Args>(args)...);
      return true;
    } catch (const KeyError& e) {
      log(e.what());
      done(make_error_code(errc::bad_key));
      return false;
    }
  }

  /// delete, touch, incr, decr; `done` gets the command (nullptr for a bad key).
  template <class Done>
  void line(LineCommand::Verb verb, OwnedKey key, std::uint64_t number, bool noreply, Done done) {
    auto held = std::make_shared<OneKey<LineCommand>>(std::move(key));
    auto fail = [&done](std::error_code ec) { done(ec, nullptr); };
    if (!make(*held, fail, verb, held->view(), number, noreply, options)) return;
    start(held, *held->command, [held, done = std::move(done)]() mutable {
      LineCommand& c = *held->command;
      c.finish();
      done(c.error(), &c);
    });
  }

  /// Runs a get_or_set flow until it waits for a reply, compute() or its
  /// timer; each of those comes back here on the strand.
  void drive(const std::shared_ptr<Flight>& f) {
    std::weak_ptr<Impl> weak = weak_from_this();
    switch (f->flow->step()) {
      case GetOrSetFlow::Step::run:
        return start(f, f->flow->command(), [f, weak] {
          auto self = weak.lock();
          if (!self) return self_gone(*f);
          f->flow->answered();
          if (f->flow->stale() && !f->stale_published) {
            f->stale_published = true;
            self->flights.publish_stale(f->name, *f->flow->stale());
          }
          // The next request is sent from a fresh handler, not from inside
          // the connection's reply handling.
          self->on_strand([f](Impl& me) { me.drive(f); });
        });
      case GetOrSetFlow::Step::compute:
        return f->compute([f, weak](std::optional<Encoded> value) {
          auto self = weak.lock();
          if (!self) return self_gone(*f);
          self->on_strand([f, value = std::move(value)](Impl& me) mutable {
            if (value) {
              f->outcome.value.emplace(std::string(value->bytes()), value->flags());
              f->flow->computed(std::move(*value));
            } else {
              f->threw = true;
              f->flow->compute_threw();
            }
            me.drive(f);
          });
        });
      case GetOrSetFlow::Step::wait:
        f->timer.expires_after(f->flow->delay());
        return f->timer.async_wait(asio::bind_executor(strand, [f, weak](std::error_code) {
          auto self = weak.lock();
          if (!self || self->stopping) return self_gone(*f);
          f->flow->waited();
          self->drive(f);
        }));
      case GetOrSetFlow::Step::done: {
        auto& done = *f->done;
        if (f->threw) {
          f->outcome.error = std::make_exception_ptr(Error("compute() threw"));
          flights.finish(f->name, f->outcome);
          return done(make_error_code(errc::compute_failed), std::nullopt);
        }
        if (f->outcome.value) {  // computed here: the front door holds it
          flights.finish(f->name, f->outcome);
          return done({}, std::nullopt);
        }
        f->outcome.value = f->flow->take_found();
        flights.finish(f->name, f->outcome);
        return done({}, std::move(f->outcome.value));
      }
    }
  }

  /// md I, then (on a server without meta commands) delete: one after another.
  void invalidate_steps(const std::shared_ptr<Invalidation>& h) {
    if (h->flow->step() == InvalidateFlow::Step::done) return h->done(h->flow->error(), h->flow->existed());
    std::weak_ptr<Impl> weak = weak_from_this();
    start(h, h->flow->command(), [h, weak] {
      h->flow->answered();
      if (auto self = weak.lock()) return self->on_strand([h](Impl& me) { me.invalidate_steps(h); });
      h->done(asio::error::operation_aborted, false);
    });
  }

  /// The engine went away mid-flow: the waiting callers are told so.
  static void self_gone(Flight& f) { (*f.done)(asio::error::operation_aborted, std::nullopt); }

  Options options;
  asio::strand<asio::any_io_executor> strand;
  std::shared_ptr<Topology> topology;
  std::vector<std::shared_ptr<AsyncConnection>> connections;
  std::vector<std::shared_ptr<AsyncConnection>> admin_connections;
  CasCache cas_cache;
  SingleFlight flights;
  bool stopping = false;
};

AsyncEngine::AsyncEngine(asio::any_io_executor executor, std::vector<Server> servers, Options options)
    : impl_(std::make_shared<Impl>(std::move(executor), servers, std::move(options))) {}

AsyncEngine::~AsyncEngine() {
  impl_->on_strand([](Impl& self) { self.shutdown(); });
}

const Options& AsyncEngine::options() const { return impl_->options; }
void AsyncEngine::log(std::string_view message) const { impl_->log(message); }

void AsyncEngine::get(OwnedKey key, bool with_cas, std::optional<std::int64_t> touch, ValueCallback done) {
  impl_->on_strand([key = std::move(key), with_cas, touch, done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<OneKey<GetCommand>>(std::move(key));
    auto fail = [&done](std::error_code ec) { done(ec, std::nullopt, 0); };
    if (!self.make(*held, fail, held->view(), with_cas, self.options, touch)) return;
    // Meta gets are not batched (each mg carries its own opaque token), nor
    // are gat / gats.
    auto batchable = self.options.protocol == Protocol::meta || touch ? AsyncRequest::Batchable::no
                     : with_cas                                       ? AsyncRequest::Batchable::gets
                                                                      : AsyncRequest::Batchable::get;
    self.start(
        held, *held->command,
        [held, weak = self.weak_from_this(), done = std::move(done)]() mutable {
          GetCommand& c = *held->command;
          auto engine = weak.lock();
          if (c.error() || !engine) return done(c.error(), std::nullopt, 0);
          c.finish(engine->cas_cache);
          if (auto ec = c.reply_error()) return done(ec, std::nullopt, 0);
          done({}, c.take_value(), c.cas_unique());
        },
        batchable);
  });
}

void AsyncEngine::store(StoreVerb verb, OwnedKey key, Encoded value, Expiry time, std::size_t min_compress_len,
                        bool noreply, std::optional<std::uint64_t> cas_unique, BoolCallback done) {
  impl_->on_strand([=, key = std::move(key), value = std::move(value), done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<OneKey<StoreCommand>>(std::move(key));
    auto fail = [&done](std::error_code ec) { done(ec, false); };
    const Encoded& v = held->value.emplace(std::move(value));
    if (!self.make(*held, fail, verb, held->view(), v, time, min_compress_len, noreply, cas_unique, self.options,
                   self.cas_cache)) {
      return;
    }
    self.start(held, *held->command, [held, done = std::move(done)]() mutable {
      StoreCommand& c = *held->command;
      c.finish();
      std::error_code ec = c.refused() ? std::error_code() : c.error();
      done(ec ? ec : c.reply_error(), c.stored());
    });
  });
}

void AsyncEngine::arith(bool incr, OwnedKey key, std::uint64_t delta, bool noreply, NumberCallback done) {
  impl_->on_strand([=, key = std::move(key), done = std::move(done)](Impl& self) mutable {
    self.line(incr ? LineCommand::Verb::incr : LineCommand::Verb::decr, std::move(key), delta, noreply,
              [done = std::move(done)](std::error_code ec, const LineCommand* c) mutable {
                if (!ec && c) ec = c->reply_error();
                done(ec, ec || !c ? std::nullopt : c->number());
              });
  });
}

void AsyncEngine::del(OwnedKey key, bool noreply, BoolCallback done) {
  impl_->on_strand([=, key = std::move(key), done = std::move(done)](Impl& self) mutable {
    self.line(LineCommand::Verb::del, std::move(key), 0, noreply,
              [done = std::move(done)](std::error_code ec, const LineCommand* c) mutable {
                if (!ec && c) ec = c->reply_error();
                done(ec, c && c->confirmed());
              });
  });
}

void AsyncEngine::touch(OwnedKey key, Expiry time, bool noreply, BoolCallback done) {
  impl_->on_strand([=, key = std::move(key), done = std::move(done)](Impl& self) mutable {
    self.line(LineCommand::Verb::touch, std::move(key), static_cast<std::uint64_t>(time.wire_value()), noreply,
              [done = std::move(done)](std::error_code ec, const LineCommand* c) mutable {
                if (!ec && c) ec = c->reply_error();
                done(ec, c && c->confirmed());
              });
  });
}

void AsyncEngine::get_multi(std::vector<OwnedKey> keys, std::string prefix, ValuesCallback done) {
  impl_->on_strand([keys = std::move(keys), prefix = std::move(prefix), done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<ManyKeys<GetMultiCommand>>();
    auto fail = [&done](std::error_code ec) { done(ec, {}); };
    held->own_keys(std::move(keys));
    held->prefix = std::move(prefix);
    if (!self.make(*held, fail, held->key_views, held->prefix, self.options, held->sent_keys)) return;
    self.start(held, *held->command, [held, done = std::move(done)]() mutable {
      GetMultiCommand& c = *held->command;
      // A server that timed out or failed, or answered an error, is reported
      // with what the others found.
      FoundList found = c.take_found();
      done(c.error(), std::vector<std::pair<std::size_t, Value>>(std::make_move_iterator(found.begin()),
                                                                 std::make_move_iterator(found.end())));
    });
  });
}

void AsyncEngine::get_multi_each(std::vector<OwnedKey> keys, std::string prefix, Visitor visit, CountCallback done) {
  impl_->on_strand([keys = std::move(keys), prefix = std::move(prefix), visit = std::move(visit),
                    done = std::move(done)](Impl& self) mutable {
    struct Visiting : ManyKeys<GetMultiCommand> {
      Visitor visit;
    };
    auto held = std::make_shared<Visiting>();
    held->visit = std::move(visit);
    auto fail = [&done](std::error_code ec) { done(ec, 0); };
    held->own_keys(std::move(keys));
    held->prefix = std::move(prefix);
    const ValueVisitor ref = held->visit;
    if (!self.make(*held, fail, held->key_views, held->prefix, self.options, held->sent_keys, ref)) return;
    std::weak_ptr<Impl> weak = self.shared_from_this();
    self.start(held, *held->command, [weak, held, done = std::move(done)]() mutable {
      GetMultiCommand& c = *held->command;
      std::error_code ec =
          c.parts() == 0 && !held->key_views.empty() ? make_error_code(errc::no_server) : std::error_code();
      if (auto thrown = c.visitor_error()) {
        if (auto alive = weak.lock()) {
          try {
            std::rethrow_exception(thrown);
          } catch (const std::exception& e) {
            alive->log(fmt::format("get_multi_each: the visitor threw: {}", e.what()));
          } catch (...) {
            alive->log("get_multi_each: the visitor threw");
          }
        }
        ec = make_error_code(errc::bad_value);
      }
      done(ec, c.visited());
    });
  });
}

void AsyncEngine::set_multi(std::vector<std::pair<OwnedKey, Encoded>> items, Expiry time, std::string prefix,
                            std::size_t min_compress_len, bool noreply, IndicesCallback done) {
  impl_->on_strand(
      [=, items = std::move(items), prefix = std::move(prefix), done = std::move(done)](Impl& self) mutable {
        auto held = std::make_shared<ManyKeys<SetMultiCommand>>();
        auto fail = [&done](std::error_code ec) { done(ec, {}); };
        for (auto& [key, value] : items) {
          held->items.emplace_back(view_of(held->keys.emplace_back(std::move(key))), std::move(value));
        }
        held->prefix = std::move(prefix);
        if (!self.make(*held, fail, held->items, time, held->prefix, min_compress_len, noreply, self.options)) return;
        self.start(held, *held->command,
                   [held, done = std::move(done)]() mutable { done({}, held->command->not_stored()); });
      });
}

void AsyncEngine::delete_multi(std::vector<OwnedKey> keys, Expiry time, std::string prefix, bool noreply,
                               BoolCallback done) {
  impl_->on_strand([=, keys = std::move(keys), prefix = std::move(prefix), done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<ManyKeys<DeleteMultiCommand>>();
    auto fail = [&done](std::error_code ec) { done(ec, false); };
    held->own_keys(std::move(keys));
    held->prefix = std::move(prefix);
    if (!self.make(*held, fail, held->key_views, time, held->prefix, noreply, self.options)) return;
    self.start(held, *held->command,
               [held, done = std::move(done)]() mutable { done({}, held->command->all_reached()); });
  });
}

void AsyncEngine::stats(std::string args, StatsCallback done) {
  impl_->on_strand([args = std::move(args), done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<ManyKeys<BroadcastCommand>>();
    held->command.emplace(BroadcastCommand::stats(args));
    self.start(held, *held->command, [held, topology = self.topology, done = std::move(done)]() mutable {
      std::vector<std::pair<std::string, BroadcastCommand::Lines>> out;
      for (auto& [index, lines] : held->command->answered()) {
        const ServerState& server = *topology->servers[index];
        out.emplace_back(server.address().stats_name(server.weight()), std::move(lines));
      }
      done({}, std::move(out));
    });
  });
}

void AsyncEngine::flush_all(BoolCallback done) {
  impl_->on_strand([done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<ManyKeys<BroadcastCommand>>();
    held->command.emplace(BroadcastCommand::flush_all());
    self.start(held, *held->command, [held, done = std::move(done)]() mutable {
      held->command->answered();
      done({}, held->command->all_answered());
    });
  });
}

void AsyncEngine::get_or_set(OwnedKey key, Expiry time, Compute compute, FoundCallback done) {
  impl_->on_strand([=, key = std::move(key), compute = std::move(compute), done = std::move(done)](Impl& self) mutable {
    auto f = std::make_shared<Flight>(std::move(key), self.topology, std::move(compute), self.strand);
    f->done = std::make_shared<FoundCallback>(std::move(done));
    try {
      f->flow.emplace(view_of(f->key), time, self.options, *f->topology);
    } catch (const KeyError& e) {
      self.log(e.what());
      return (*f->done)(make_error_code(errc::bad_key), std::nullopt);
    }
    f->name = SingleFlight::flight_key(f->key.text, f->key.hash);
    SingleFlight::Waiter waiter = [done = f->done](const SingleFlight::Outcome& o) {
      if (o.error) return (*done)(make_error_code(errc::compute_failed), std::nullopt);
      (*done)({}, o.value);
    };
    if (self.flights.join(f->name, waiter)) self.drive(f);
  });
}

void AsyncEngine::invalidate(OwnedKey key, BoolCallback done) {
  impl_->on_strand([key = std::move(key), done = std::move(done)](Impl& self) mutable {
    auto held = std::make_shared<Invalidation>(std::move(key), self.topology, std::move(done));
    try {
      held->flow.emplace(view_of(held->key), self.options, *held->topology);
    } catch (const KeyError& e) {
      self.log(e.what());
      return held->done(make_error_code(errc::bad_key), false);
    }
    self.invalidate_steps(held);
  });
}

}  // namespace memcache::detail
