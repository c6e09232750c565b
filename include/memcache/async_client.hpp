#ifndef MEMCACHE_ASYNC_CLIENT_HPP
#define MEMCACHE_ASYNC_CLIENT_HPP

// The async API. Needs standalone Asio's headers (Debian: libasio-dev) and,
// for co_await, C++20; the rest of the library builds as C++17 without them.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/execution_context.hpp>
#include <asio/post.hpp>

#include <memcache/client.hpp>
#include <memcache/codec.hpp>
#include <memcache/detail/async_engine.hpp>
#include <memcache/detail/completion.hpp>
#include <memcache/error_code.hpp>

namespace memcache {

/// python-memcached's API as Asio asynchronous operations.
///
///     asio::io_context io;
///     memcache::AsyncClient mc(io, {"127.0.0.1:11211"});
///     mc.async_set("user_001", "alice", 300, [](std::error_code ec, bool stored) { ... });
///     auto [ec, name] = co_await mc.async_get("user_001", asio::as_tuple(asio::use_awaitable));
///
/// Every call of `Client` exists as `async_<name>` with the same arguments,
/// defaults and results, plus a completion token as the last argument
/// (callbacks, `asio::use_future`, `asio::deferred`, `asio::use_awaitable`).
/// Completion signatures are `void(std::error_code, R)` where R is the sync
/// call's result; `flush_all` completes with `void(std::error_code, bool)`.
///
/// Errors are `memcache::errc` values: a miss or a refusal is not an error (as
/// in the sync API), an unreachable server, a timeout or a reply that makes no
/// sense is. Concurrent requests to a server share one connection and are
/// pipelined: written back to back, replies matched in order, at most
/// `Options::max_requests_in_flight` outstanding. When a connection times out
/// or breaks, every request in flight on it fails and it is replaced; no
/// request ever completes with another request's reply.
///
/// Cancellation: per-operation cancellation slots (e.g. `asio::bind_cancellation_slot`,
/// `asio::experimental::parallel_group`, awaitable operators) complete the
/// operation at once with `asio::error::operation_aborted`; a request already
/// written still gets its reply, which is dropped.
///
/// Lifetimes: arguments are copied at the call, so they need not outlive it.
/// The client may be destroyed with operations pending: they complete with
/// `operation_aborted`. The object is safe to use from several threads and
/// with an io_context run by several threads.
class AsyncClient {
 public:
  using executor_type = asio::any_io_executor;

  AsyncClient(executor_type executor, std::vector<Server> servers, Options options = {})
      : executor_(std::move(executor)),
        engine_(std::make_shared<detail::AsyncEngine>(executor_, std::move(servers), std::move(options))) {}

  template <class ExecutionContext,
            class = std::enable_if_t<std::is_convertible_v<ExecutionContext&, asio::execution_context&>>>
  AsyncClient(ExecutionContext& context, std::vector<Server> servers, Options options = {})
      : AsyncClient(executor_type(context.get_executor()), std::move(servers), std::move(options)) {}

  executor_type get_executor() const { return executor_; }
  const Options& options() const { return engine_->options(); }

  // -- retrieval ----------------------------------------------------------------

  /// `void(std::error_code, std::optional<T>)`; a value that cannot be decoded
  /// as T completes with errc::bad_value.
  template <class T = std::string, class Token>
  auto async_get(const Key& key, Token&& token) {
    return fetch<T, std::optional<T>>(key, false, std::forward<Token>(token));
  }
  template <class T = std::string, class Token>
  auto async_gets(const Key& key, Token&& token) {
    return fetch<T, std::optional<T>>(key, true, std::forward<Token>(token));
  }
  /// `void(std::error_code, std::optional<CasValue<T>>)`, for async_cas_with.
  template <class T = std::string, class Token>
  auto async_gets_cas(const Key& key, Token&& token) {
    return fetch<T, std::optional<CasValue<T>>>(key, true, std::forward<Token>(token));
  }
  /// Get and touch (`Client::gat`): `void(std::error_code, std::optional<T>)`;
  /// the key's expiry becomes `time` when it is there.
  template <class T = std::string, class Token>
  auto async_gat(const Key& key, Expiry time, Token&& token) {
    return fetch<T, std::optional<T>>(key, false, std::forward<Token>(token), time.wire_value());
  }
  /// As `async_gat`, and remembers the cas unique as `async_gets` does.
  template <class T = std::string, class Token>
  auto async_gats(const Key& key, Expiry time, Token&& token) {
    return fetch<T, std::optional<T>>(key, true, std::forward<Token>(token), time.wire_value());
  }

  /// `async_get_multi(keys, [key_prefix], token)`:
  /// `void(std::error_code, std::unordered_map<std::string, T>)`. When a
  /// server failed, timed out or answered an error, the error code says so
  /// (timed_out, server_error, ...) and the map still holds what the other
  /// servers found (with `use_awaitable`, wrap it in `asio::as_tuple` to keep
  /// both).
  template <class T = std::string, class Keys, class... Args>
  auto async_get_multi(const Keys& keys, Args&&... args) {
    auto [prefix] = detail::leading_args(std::tuple<std::string_view>{""}, args...);
    using Result = std::unordered_map<std::string, T>;
    return initiate<Result>(
        [](auto engine, auto completion, std::vector<detail::OwnedKey> owned, std::string p) {
          auto names = std::make_shared<std::vector<std::string>>();
          for (const auto& k : owned) names->push_back(k.text);
          // Weak: a pending call must not keep the engine (and its
          // connections) alive after the client is gone.
          std::weak_ptr<detail::AsyncEngine> weak = engine;
          engine->get_multi(std::move(owned), std::move(p), [completion, names, weak](std::error_code ec, auto found) {
            Result out;
            auto alive = weak.lock();
            if (!alive) return completion->complete(asio::error::operation_aborted, std::move(out));
            for (auto& [index, raw] : found) {
              try {
                out.insert_or_assign((*names)[index], detail::decode<T>(std::move(raw), alive->options()));
              } catch (const ValueError& e) {
                alive->log(e.what());
              }
            }
            completion->complete(ec, std::move(out));
          });
        },
        detail::last_arg(std::forward<Args>(args)...), own_keys(keys), std::string(prefix));
  }

  /// `async_get_multi_each(keys, visit, [key_prefix], token)`:
  /// `void(std::error_code, std::size_t visited)`. get_multi without building
  /// a map: `visit(std::string_view key, memcache::Value::View value)` is
  /// called for each value found, as its reply is parsed, on the client's
  /// strand (not the token's executor), with views into the read buffer valid
  /// during that call only (decompressed, flag 8 cleared), as
  /// `Client::get_multi_each`. `visit` must not block; if it throws, it is not
  /// called again, the exception is logged under `debug` and the call
  /// completes with `errc::bad_value`.
  ///
  ///     auto n = co_await mc.async_get_multi_each(keys, [&](std::string_view k, memcache::Value::View v) {
  ///       sizes[std::string(k)] = v.bytes.size();
  ///     }, asio::use_awaitable);
  template <class Keys, class Visitor, class... Args>
  auto async_get_multi_each(const Keys& keys, Visitor visit, Args&&... args) {
    auto [prefix] = detail::leading_args(std::tuple<std::string_view>{""}, args...);
    return initiate<std::size_t>(
        [](auto engine, auto completion, std::vector<detail::OwnedKey> owned, std::string p, Visitor v) {
          engine->get_multi_each(std::move(owned), std::move(p), std::move(v), forward_to(completion));
        },
        detail::last_arg(std::forward<Args>(args)...), own_keys(keys), std::string(prefix), std::move(visit));
  }

  // -- storage ------------------------------------------------------------------

  /// `async_set(key, val, [time, min_compress_len, noreply], token)`:
  /// `void(std::error_code, bool stored)`.
  template <class T, class... Args>
  auto async_set(const Key& key, const T& val, Args&&... args) {
    return store(detail::StoreVerb::set, key, val, std::nullopt, std::forward<Args>(args)...);
  }
  template <class T, class... Args>
  auto async_add(const Key& key, const T& val, Args&&... args) {
    return store(detail::StoreVerb::add, key, val, std::nullopt, std::forward<Args>(args)...);
  }
  template <class T, class... Args>
  auto async_replace(const Key& key, const T& val, Args&&... args) {
    return store(detail::StoreVerb::replace, key, val, std::nullopt, std::forward<Args>(args)...);
  }
  template <class T, class... Args>
  auto async_append(const Key& key, const T& val, Args&&... args) {
    return store(detail::StoreVerb::append, key, val, std::nullopt, std::forward<Args>(args)...);
  }
  template <class T, class... Args>
  auto async_prepend(const Key& key, const T& val, Args&&... args) {
    return store(detail::StoreVerb::prepend, key, val, std::nullopt, std::forward<Args>(args)...);
  }
  /// With `cache_cas`, uses the unique the last async_gets of the key remembered; else a set.
  template <class T, class... Args>
  auto async_cas(const Key& key, const T& val, Args&&... args) {
    return store(detail::StoreVerb::cas, key, val, std::nullopt, std::forward<Args>(args)...);
  }
  /// `async_cas_with(key, val, cas_unique, [time, min_compress_len, noreply], token)`.
  template <class T, class... Args>
  auto async_cas_with(const Key& key, const T& val, std::uint64_t cas_unique, Args&&... args) {
    return store(detail::StoreVerb::cas, key, val, cas_unique, std::forward<Args>(args)...);
  }

  /// `async_set_multi(mapping, [time, key_prefix, min_compress_len, noreply], token)`:
  /// `void(std::error_code, std::vector<std::string> not_stored)`.
  template <class Mapping, class... Args>
  auto async_set_multi(const Mapping& mapping, Args&&... args) {
    auto [time, prefix, min_compress_len, noreply] =
        detail::leading_args(std::tuple<Expiry, std::string_view, std::size_t, bool>{Expiry{}, "", 0, false}, args...);
    std::vector<std::pair<detail::OwnedKey, detail::Encoded>> items;
    for (const auto& [k, v] : mapping) items.emplace_back(own_key(Key(k)), detail::encode(v).own());
    using Result = std::vector<std::string>;
    return initiate<Result>(
        [time = time, min_compress_len = min_compress_len, noreply = noreply](
            auto engine, auto completion, std::vector<std::pair<detail::OwnedKey, detail::Encoded>> owned,
            std::string p) {
          auto names = std::make_shared<std::vector<std::string>>();
          for (const auto& item : owned) names->push_back(item.first.text);
          engine->set_multi(std::move(owned), time, std::move(p), min_compress_len, noreply,
                            [completion, names](std::error_code ec, std::vector<std::size_t> failed) {
                              Result out;
                              for (std::size_t i : failed) out.push_back((*names)[i]);
                              completion->complete(ec, std::move(out));
                            });
        },
        detail::last_arg(std::forward<Args>(args)...), std::move(items), std::string(prefix));
  }

  // -- single-key commands ------------------------------------------------------

  /// `async_del(key, [noreply], token)`: `void(std::error_code, bool deleted)`.
  template <class... Args>
  auto async_del(const Key& key, Args&&... args) {
    auto [noreply] = detail::leading_args(std::tuple<bool>{false}, args...);
    return initiate<bool>(
        [noreply = noreply](auto engine, auto completion, detail::OwnedKey k) {
          engine->del(std::move(k), noreply, forward_to(completion));
        },
        detail::last_arg(std::forward<Args>(args)...), own_key(key));
  }
  /// `async_incr(key, [delta, noreply], token)`: `void(std::error_code, std::optional<std::uint64_t>)`.
  template <class... Args>
  auto async_incr(const Key& key, Args&&... args) {
    return arith(true, key, std::forward<Args>(args)...);
  }
  template <class... Args>
  auto async_decr(const Key& key, Args&&... args) {
    return arith(false, key, std::forward<Args>(args)...);
  }
  /// `async_touch(key, [time, noreply], token)`: `void(std::error_code, bool touched)`.
  template <class... Args>
  auto async_touch(const Key& key, Args&&... args) {
    auto [time, noreply] = detail::leading_args(std::tuple<Expiry, bool>{Expiry{}, false}, args...);
    return initiate<bool>(
        [time = time, noreply = noreply](auto engine, auto completion, detail::OwnedKey k) {
          engine->touch(std::move(k), time, noreply, forward_to(completion));
        },
        detail::last_arg(std::forward<Args>(args)...), own_key(key));
  }
  /// `async_delete_multi(keys, [time, key_prefix, noreply], token)`:
  /// `void(std::error_code, bool every_server_reached)`.
  template <class Keys, class... Args>
  auto async_delete_multi(const Keys& keys, Args&&... args) {
    auto [time, prefix, noreply] =
        detail::leading_args(std::tuple<Expiry, std::string_view, bool>{Expiry{}, "", false}, args...);
    return initiate<bool>(
        [time = time, noreply = noreply](auto engine, auto completion, std::vector<detail::OwnedKey> owned,
                                         std::string p) {
          engine->delete_multi(std::move(owned), time, std::move(p), noreply, forward_to(completion));
        },
        detail::last_arg(std::forward<Args>(args)...), own_keys(keys), std::string(prefix));
  }

  // -- stampede-safe caching ----------------------------------------------------

  /// `async_get_or_set(key, compute, [time], token)`: `void(std::error_code, T)`
  /// where T is what `compute()` returns. The same flow as `Client::get_or_set`:
  /// one computation per key in the cluster, stale values answered at once
  /// after `async_invalidate`, a cas-guarded write back, and with no server
  /// reachable compute()'s value (errors then are not reported: the value is).
  ///
  ///     auto [ec, page] = co_await mc.async_get_or_set("report:42", [] { return render(42); }, 300,
  ///                                                   asio::as_tuple(asio::use_awaitable));
  ///
  /// How compute runs: only if this call wins the right to compute, as a plain
  /// function posted to the client's executor (`get_executor()`), like a
  /// completion handler: it must not block that executor for long (post
  /// heavy work elsewhere and keep the io_context running on several
  /// threads). It is copied (moved) into the operation. If it throws, the
  /// call, and every call of this client sharing its computation, completes
  /// with `errc::compute_failed`; the lease is released.
  ///
  /// T must be default-constructible (an error completes with `T{}`).
  ///
  /// Cancellation completes the operation at once with `operation_aborted`;
  /// the flow goes on without it (a computation already started still runs
  /// and its value is stored, for the other callers).
  template <class F, class... Args>
  auto async_get_or_set(const Key& key, F compute, Args&&... args) {
    auto [time] = detail::leading_args(std::tuple<Expiry>{Expiry{}}, args...);
    using T = std::decay_t<std::invoke_result_t<F&>>;
    return initiate<T>(
        [time = time, executor = executor_](auto engine, auto completion, detail::OwnedKey k, F fn) {
          auto computed = std::make_shared<std::optional<T>>();
          const Options* options = &engine->options();
          engine->get_or_set(
              std::move(k), time,
              [fn = std::move(fn), computed, executor](detail::AsyncEngine::ComputeDone done) mutable {
                asio::post(executor, [fn = std::move(fn), computed, done = std::move(done)]() mutable {
                  std::optional<detail::Encoded> encoded;
                  try {
                    computed->emplace(fn());
                    encoded.emplace(detail::encode(**computed).own());
                  } catch (...) {
                    computed->reset();
                  }
                  done(std::move(encoded));
                });
              },
              [completion, computed, options](std::error_code ec, std::optional<Value> found) {
                if (ec) return completion->complete(ec, T{});
                if (!found) return completion->complete({}, std::move(**computed));
                try {
                  completion->complete({}, detail::decode<T>(std::move(*found), *options));
                } catch (const ValueError&) {
                  completion->complete(make_error_code(errc::bad_value), T{});
                }
              });
        },
        detail::last_arg(std::forward<Args>(args)...), own_key(key), std::move(compute));
  }
  /// `async_invalidate(key, token)`: `void(std::error_code, bool existed)`;
  /// see `Client::invalidate`.
  template <class Token>
  auto async_invalidate(const Key& key, Token&& token) {
    return initiate<bool>([](auto engine, auto completion,
                             detail::OwnedKey k) { engine->invalidate(std::move(k), forward_to(completion)); },
                          std::forward<Token>(token), own_key(key));
  }

  // -- servers ------------------------------------------------------------------

  /// `async_get_stats([args], token)`: `void(std::error_code, ServerStats)`.
  template <class... Args>
  auto async_get_stats(Args&&... args) {
    auto [stat_args] = detail::leading_args(std::tuple<std::string_view>{""}, args...);
    return initiate<ServerStats>(
        [](auto engine, auto completion, std::string a) {
          engine->stats(std::move(a), [completion](std::error_code ec, auto raw) {
            ServerStats out;
            for (auto& [name, lines] : raw) out.emplace_back(std::move(name), StatsMap(lines.begin(), lines.end()));
            completion->complete(ec, std::move(out));
          });
        },
        detail::last_arg(std::forward<Args>(args)...), std::string(stat_args));
  }
  /// `void(std::error_code, bool)`: flush_all on every server; true when every
  /// server of the list confirmed, as the sync `flush_all`. A failure never
  /// marks a server dead; admin calls use their own connection, so one that
  /// fails never disturbs data calls.
  template <class Token>
  auto async_flush_all(Token&& token) {
    return initiate<bool>([](auto engine, auto completion) { engine->flush_all(forward_to(completion)); },
                          std::forward<Token>(token));
  }

 private:
  static detail::OwnedKey own_key(const Key& key) { return {std::string(key.text), key.hash}; }
  template <class Keys>
  static std::vector<detail::OwnedKey> own_keys(const Keys& keys) {
    std::vector<detail::OwnedKey> out;
    for (const auto& k : keys) out.push_back(own_key(Key(k)));
    return out;
  }

  /// A callback that completes `completion` with what the engine reports.
  template <class CompletionPtr>
  static auto forward_to(CompletionPtr completion) {
    return [completion](std::error_code ec, auto result) { completion->complete(ec, std::move(result)); };
  }

  /// async_initiate with a Completion for signature void(error_code, Result);
  /// `start(engine, completion, args...)` starts the operation.
  template <class Result, class Start, class Token, class... Args>
  auto initiate(Start start, Token&& token, Args&&... args) {
    return asio::async_initiate<Token, void(std::error_code, Result)>(
        [engine = engine_, executor = executor_, start = std::move(start)](auto handler, auto&&... a) mutable {
          using Handler = std::decay_t<decltype(handler)>;
          auto completion = detail::Completion<Handler, Result>::make(std::move(handler), executor);
          start(engine, completion, std::forward<decltype(a)>(a)...);
        },
        token, std::forward<Args>(args)...);
  }

  /// get / gets / gets_cas, and with `touch` gat / gats: Result is
  /// std::optional<T> or std::optional<CasValue<T>>.
  template <class T, class Result, class Token>
  auto fetch(const Key& key, bool with_cas, Token&& token, std::optional<std::int64_t> touch = std::nullopt) {
    return initiate<Result>(
        [with_cas, touch](auto engine, auto completion, detail::OwnedKey k) {
          // The engine outlives every callback it makes with a value.
          const Options* options = &engine->options();
          engine->get(std::move(k), with_cas, touch,
                      [completion, options](std::error_code ec, std::optional<Value> raw, std::uint64_t unique) {
                        if (ec || !raw) return completion->complete(ec, Result{});
                        try {
                          T value = detail::decode<T>(std::move(*raw), *options);
                          if constexpr (std::is_same_v<Result, std::optional<T>>) {
                            (void)unique;
                            completion->complete({}, Result(std::move(value)));
                          } else {
                            completion->complete({}, Result(CasValue<T>{std::move(value), unique}));
                          }
                        } catch (const ValueError&) {
                          completion->complete(make_error_code(errc::bad_value), Result{});
                        }
                      });
        },
        std::forward<Token>(token), own_key(key));
  }

  template <class T, class... Args>
  auto store(detail::StoreVerb cmd, const Key& key, const T& val, std::optional<std::uint64_t> unique, Args&&... args) {
    auto [time, min_compress_len, noreply] =
        detail::leading_args(std::tuple<Expiry, std::size_t, bool>{Expiry{}, 0, false}, args...);
    return initiate<bool>(
        [cmd, unique, time = time, min_compress_len = min_compress_len, noreply = noreply](
            auto engine, auto completion, detail::OwnedKey k, detail::Encoded v) {
          engine->store(cmd, std::move(k), std::move(v), time, min_compress_len, noreply, unique,
                        forward_to(completion));
        },
        detail::last_arg(std::forward<Args>(args)...), own_key(key), detail::encode(val).own());
  }

  template <class... Args>
  auto arith(bool incr, const Key& key, Args&&... args) {
    auto [delta, noreply] = detail::leading_args(std::tuple<std::uint64_t, bool>{1, false}, args...);
    return initiate<std::optional<std::uint64_t>>(
        [incr, delta = delta, noreply = noreply](auto engine, auto completion, detail::OwnedKey k) {
          engine->arith(incr, std::move(k), delta, noreply, forward_to(completion));
        },
        detail::last_arg(std::forward<Args>(args)...), own_key(key));
  }

  executor_type executor_;
  std::shared_ptr<detail::AsyncEngine> engine_;
};

}  // namespace memcache

#endif  // MEMCACHE_ASYNC_CLIENT_HPP
