#ifndef MEMCACHE_DETAIL_ASYNC_ENGINE_HPP
#define MEMCACHE_DETAIL_ASYNC_ENGINE_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <asio/any_io_executor.hpp>

#include <memcache/client.hpp>
#include <memcache/detail/encoded.hpp>
#include <memcache/detail/store_verb.hpp>
#include <memcache/detail/unique_function.hpp>
#include <memcache/expiry.hpp>
#include <memcache/export.hpp>
#include <memcache/options.hpp>
#include <memcache/server.hpp>
#include <memcache/value.hpp>

namespace memcache::detail {

/// A key owned by an async operation (the caller's string may be gone by the
/// time a deferred operation starts).
struct OwnedKey {
  std::string text;
  std::optional<std::uint64_t> hash;
};

/// The non-template heart of AsyncClient: plans each call with the same
/// commands as the sync client (src/commands), sends their requests over one
/// pipelined connection per server, and reports results through callbacks
/// run on its strand. AsyncClient's templates turn those callbacks into Asio
/// completions.
class MEMCACHE_API AsyncEngine {
 public:
  using ValueCallback = UniqueFunction<void(std::error_code, std::optional<Value>, std::uint64_t cas)>;
  using BoolCallback = UniqueFunction<void(std::error_code, bool)>;
  using NumberCallback = UniqueFunction<void(std::error_code, std::optional<std::uint64_t>)>;
  using ValuesCallback = UniqueFunction<void(std::error_code, std::vector<std::pair<std::size_t, Value>>)>;
  using CountCallback = UniqueFunction<void(std::error_code, std::size_t)>;
  using Visitor = UniqueFunction<void(std::string_view key, Value::View value)>;
  using IndicesCallback = UniqueFunction<void(std::error_code, std::vector<std::size_t>)>;
  using StatsCallback = UniqueFunction<void(
      std::error_code, std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>)>;

  AsyncEngine(asio::any_io_executor executor, std::vector<Server> servers, Options options);
  ~AsyncEngine();
  AsyncEngine(const AsyncEngine&) = delete;
  AsyncEngine& operator=(const AsyncEngine&) = delete;

  const Options& options() const;
  void log(std::string_view message) const;

  void get(OwnedKey key, bool with_cas, ValueCallback done);
  void store(StoreVerb verb, OwnedKey key, Encoded value, Expiry time, std::size_t min_compress_len, bool noreply,
             std::optional<std::uint64_t> cas_unique, BoolCallback done);
  void arith(bool incr, OwnedKey key, std::uint64_t delta, bool noreply, NumberCallback done);
  void del(OwnedKey key, bool noreply, BoolCallback done);
  void touch(OwnedKey key, Expiry time, bool noreply, BoolCallback done);
  void get_multi(std::vector<OwnedKey> keys, std::string prefix, ValuesCallback done);
  /// get_multi calling `visit` on the strand per value as it is parsed; `done`
  /// gets how many were visited (bad_value when `visit` threw: then it is not
  /// called again).
  void get_multi_each(std::vector<OwnedKey> keys, std::string prefix, Visitor visit, CountCallback done);
  void set_multi(std::vector<std::pair<OwnedKey, Encoded>> items, Expiry time, std::string prefix,
                 std::size_t min_compress_len, bool noreply, IndicesCallback done);
  void delete_multi(std::vector<OwnedKey> keys, Expiry time, std::string prefix, bool noreply, BoolCallback done);
  /// `stats [args]` from every reachable server: (python-memcached's server name, STAT lines).
  void stats(std::string args, StatsCallback done);
  /// flush_all on every usable server; true when every server confirmed.
  void flush_all(BoolCallback done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_ASYNC_ENGINE_HPP
