#ifndef MEMCACHE_CLIENT_HPP
#define MEMCACHE_CLIENT_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <memcache/codec.hpp>
#include <memcache/detail/encoded.hpp>
#include <memcache/detail/function_ref.hpp>
#include <memcache/detail/lists.hpp>
#include <memcache/detail/store_verb.hpp>
#include <memcache/error.hpp>
#include <memcache/expiry.hpp>
#include <memcache/export.hpp>
#include <memcache/key.hpp>
#include <memcache/options.hpp>
#include <memcache/server.hpp>
#include <memcache/value.hpp>

namespace memcache {

/// A value read with `gets_cas`, with the cas unique to hand to `cas_with`.
template <class T>
struct CasValue {
  T value;
  std::uint64_t cas_unique = 0;
};

/// One server's `stats` reply: name -> value, values as the server sent them.
using StatsMap = std::map<std::string, std::string>;
/// One entry per reachable server: python-memcached's name for it
/// (`"127.0.0.1:11211 (1)"`) and its stats.
using ServerStats = std::vector<std::pair<std::string, StatsMap>>;
/// One server's `stats items`: slab id -> (name -> value).
using SlabsMap = std::map<std::string, StatsMap>;
using ServerSlabs = std::vector<std::pair<std::string, SlabsMap>>;

/// A memcached client with python-memcached's API.
///
///     memcache::Client mc({"127.0.0.1:11211"});
///     mc.set("user_001", "alice", 300);
///     std::optional<std::string> name = mc.get("user_001");
///
/// Safe to share between threads: each server has a bounded pool of
/// connections, opened on first use. Every network wait is bounded by
/// `Options::socket_timeout` / `connect_timeout`. A server that fails is
/// skipped for `dead_retry` and its keys rehash as python-memcached's do.
/// A connection whose request failed or timed out is closed, never reused.
class MEMCACHE_API Client {
 public:
  /// Parses every server string now (throwing `ServerSpecError` for a bad one)
  /// but connects only when first used.
  explicit Client(std::vector<Server> servers, Options options = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // -- storage ----------------------------------------------------------------

  /// Stores `val` under `key`. `mc.set("user_001", "alice", 300)`.
  /// Returns false when the server refused it, was unreachable, or the value is
  /// longer than `server_max_value_length` after encoding.
  template <class T>
  bool set(const Key& key, const T& val, Expiry time = {}, std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::set, key, detail::encode(val), time, min_compress_len, noreply);
  }
  /// Stores only if the key is absent.
  template <class T>
  bool add(const Key& key, const T& val, Expiry time = {}, std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::add, key, detail::encode(val), time, min_compress_len, noreply);
  }
  /// Stores only if the key is present.
  template <class T>
  bool replace(const Key& key, const T& val, Expiry time = {}, std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::replace, key, detail::encode(val), time, min_compress_len, noreply);
  }
  /// Appends bytes to an existing value (flags and expiry stay the server's).
  template <class T>
  bool append(const Key& key, const T& val, Expiry time = {}, std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::append, key, detail::encode(val), time, min_compress_len, noreply);
  }
  /// Prepends bytes to an existing value.
  template <class T>
  bool prepend(const Key& key, const T& val, Expiry time = {}, std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::prepend, key, detail::encode(val), time, min_compress_len, noreply);
  }
  /// Check-and-set with the cas unique the last `gets` of this key remembered
  /// (needs `Options::cache_cas`); without one it falls back to `set`, as
  /// python-memcached does. See `cas_with` for the explicit, thread-safe form.
  template <class T>
  bool cas(const Key& key, const T& val, Expiry time = {}, std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::cas, key, detail::encode(val), time, min_compress_len, noreply);
  }
  /// Check-and-set against an explicit cas unique from `gets_cas`.
  /// False when the value changed since (EXISTS) or is gone (NOT_FOUND).
  template <class T>
  bool cas_with(const Key& key, const T& val, std::uint64_t cas_unique, Expiry time = {},
                std::size_t min_compress_len = 0, bool noreply = false) {
    return store(detail::StoreVerb::cas, key, detail::encode(val), time, min_compress_len, noreply, cas_unique);
  }

  // -- retrieval --------------------------------------------------------------

  /// The value of `key` decoded as T; empty on a miss or when no server is
  /// reachable. Throws `ValueError` when the value cannot be decoded as T.
  template <class T = std::string>
  std::optional<T> get(const Key& key) {
    return decode_optional<T>(key, fetch(key, false));
  }
  /// As `get`, and remembers the cas unique for `cas` when `cache_cas` is on.
  template <class T = std::string>
  std::optional<T> gets(const Key& key) {
    return decode_optional<T>(key, fetch(key, true));
  }
  /// The value and its cas unique, for `cas_with`.
  template <class T = std::string>
  std::optional<CasValue<T>> gets_cas(const Key& key) {
    std::uint64_t unique = 0;
    auto v = decode_optional<T>(key, fetch(key, true, &unique));
    if (!v) return std::nullopt;
    return CasValue<T>{std::move(*v), unique};
  }
  /// Many keys in one round trip per server, servers in parallel. Returns the
  /// caller's keys (prefix stripped) that were found; values that cannot be
  /// decoded as T are left out (and logged under `debug`).
  ///
  ///     auto found = mc.get_multi({"a", "b", "c"}, "prefix:");
  template <class T = std::string, class Keys>
  std::unordered_map<std::string, T> get_multi(const Keys& keys, std::string_view key_prefix = "") {
    KeyList list(std::begin(keys), std::end(keys));
    return decode_multi<T>(list, fetch_multi(list, key_prefix));
  }
  template <class T = std::string>
  std::unordered_map<std::string, T> get_multi(std::initializer_list<Key> keys, std::string_view key_prefix = "") {
    KeyList list(keys);
    return decode_multi<T>(list, fetch_multi(list, key_prefix));
  }
  /// get_multi without building a map: calls `visit(key, value)` for each
  /// value found, as its reply is read, with views into the read buffer (no
  /// allocation per key). `key` is the caller's key (prefix stripped);
  /// `value.bytes` are decompressed (flag 8 cleared; `value.flags` says how to
  /// read them, e.g. 0 raw bytes, 16 UTF-8, 2 integer, 1 pickle). Both views
  /// are valid only during the call: copy what you keep. Values are seen
  /// as they arrive, so a server that fails later in the call may already
  /// have delivered some (get_multi would drop them). If `visit` throws, it
  /// is not called again, the replies are still read (the connection stays
  /// in step), and the exception is rethrown. Returns the values visited.
  ///
  ///     std::size_t bytes = 0;
  ///     mc.get_multi_each(keys, [&](std::string_view key, memcache::Value::View v) { bytes += v.bytes.size(); });
  template <class Keys, class Visitor>
  std::size_t get_multi_each(const Keys& keys, Visitor&& visit, std::string_view key_prefix = "") {
    return visit_multi(KeyList(std::begin(keys), std::end(keys)), key_prefix, visit);
  }
  template <class Visitor>
  std::size_t get_multi_each(std::initializer_list<Key> keys, Visitor&& visit, std::string_view key_prefix = "") {
    return visit_multi(KeyList(keys), key_prefix, visit);
  }

  // -- multi-key storage and deletion -----------------------------------------

  /// Stores every (key, value) of `mapping` in one pipelined write per server.
  /// Returns the caller's keys that were not stored.
  ///
  ///     auto failed = mc.set_multi(batch, 60, "prefix:");
  template <class Mapping>
  std::vector<std::string> set_multi(const Mapping& mapping, Expiry time = {}, std::string_view key_prefix = "",
                                     std::size_t min_compress_len = 0, bool noreply = false) {
    std::vector<std::pair<Key, detail::Encoded>> items;
    items.reserve(size_hint(mapping, 0));
    for (const auto& [k, v] : mapping) items.emplace_back(Key(k), detail::encode(v));
    return store_multi(items, time, key_prefix, min_compress_len, noreply);
  }
  std::vector<std::string> set_multi(const std::map<std::string, std::string>& mapping, Expiry time = {},
                                     std::string_view key_prefix = "", std::size_t min_compress_len = 0,
                                     bool noreply = false) {
    return set_multi<std::map<std::string, std::string>>(mapping, time, key_prefix, min_compress_len, noreply);
  }

  /// Deletes many keys, pipelined per server. True when every server holding
  /// one of the keys was reached (a key that was absent still counts).
  template <class Keys>
  bool delete_multi(const Keys& keys, Expiry time = {}, std::string_view key_prefix = "", bool noreply = false) {
    KeyList list;
    for (const auto& k : keys) list.emplace_back(k);
    return remove_multi(list, time, key_prefix, noreply);
  }
  bool delete_multi(std::initializer_list<Key> keys, Expiry time = {}, std::string_view key_prefix = "",
                    bool noreply = false) {
    return remove_multi(KeyList(keys), time, key_prefix, noreply);
  }

  // -- single-key commands ----------------------------------------------------

  /// Deletes `key`; true when the server answered DELETED.
  bool del(const Key& key, bool noreply = false);
  /// Adds `delta` to a decimal value; the new value, or empty on a miss or
  /// when no server is reachable (or with `noreply`). Throws `ValueError` when
  /// the stored value is not a number.
  std::optional<std::uint64_t> incr(const Key& key, std::uint64_t delta = 1, bool noreply = false);
  /// As `incr`, flooring at 0.
  std::optional<std::uint64_t> decr(const Key& key, std::uint64_t delta = 1, bool noreply = false);
  /// Sets a new expiry; true when the server answered TOUCHED.
  bool touch(const Key& key, Expiry time = {}, bool noreply = false);

  // -- servers ----------------------------------------------------------------

  /// `stats [args]` from every reachable server.
  ServerStats get_stats(std::string_view args = "");
  /// `stats items` from every reachable server, grouped by slab id.
  ServerSlabs get_slabs();
  /// `flush_all` on every server. True when every server of the list
  /// confirmed (OK); false when one was dead, unreachable or refused it (a
  /// proxy such as twemproxy refuses it: nothing was flushed there).
  /// python-memcached returns None; ignoring the result is the same call.
  /// A failed flush_all never marks a server dead.
  bool flush_all();
  /// Closes every pooled connection; the next call reconnects.
  void disconnect_all();
  /// Takes every server marked dead back at once.
  void forget_dead_hosts();
  /// Replaces the server list (throws `ServerSpecError` for a bad string).
  void set_servers(std::vector<Server> servers);
  /// Forgets the cas uniques remembered by `gets`.
  void reset_cas();
  /// Throws the matching `KeyError` for a key memcached would reject;
  /// `key_extra_len` counts a prefix that will be added.
  void check_key(std::string_view key, std::size_t key_extra_len = 0) const;
  /// Writes `message` to the log when `debug` is on.
  void debuglog(std::string_view message) const;
  /// The options this client was built with.
  const Options& options() const;

 private:
  struct Impl;

  using KeyList = detail::KeyList;
  using FoundList = detail::FoundList;

  /// How many elements a range holds, when it can tell (0 otherwise): for reserve.
  template <class Range>
  static auto size_hint(const Range& r, int) -> decltype(static_cast<std::size_t>(std::size(r))) {
    return static_cast<std::size_t>(std::size(r));
  }
  template <class Range>
  static std::size_t size_hint(const Range&, long) {
    return 0;
  }

  template <class T>
  std::optional<T> decode_optional(const Key& key, std::optional<Value> raw) const {
    if (!raw) return std::nullopt;
    try {
      return detail::decode<T>(std::move(*raw), options());
    } catch (const ValueError& e) {
      rethrow_for_key(key.text, e);
    }
  }

  template <class T>
  std::unordered_map<std::string, T> decode_multi(const KeyList& keys, FoundList found) const {
    std::unordered_map<std::string, T> out;
    out.reserve(found.size());
    for (auto& [index, raw] : found) {
      const Key& key = keys[index];
      try {
        auto v = decode_optional<T>(key, std::move(raw));
        out.insert_or_assign(std::string(key.text), std::move(*v));
      } catch (const ValueError& e) {
        debuglog(e.what());
      }
    }
    return out;
  }

  [[noreturn]] static void rethrow_for_key(std::string_view key, const ValueError& e);

  bool store(detail::StoreVerb verb, const Key& key, const detail::Encoded& val, Expiry time,
             std::size_t min_compress_len, bool noreply, std::optional<std::uint64_t> cas_unique = std::nullopt);
  std::optional<Value> fetch(const Key& key, bool with_cas, std::uint64_t* cas_out = nullptr);
  FoundList fetch_multi(const KeyList& keys, std::string_view prefix);
  std::size_t visit_multi(const KeyList& keys, std::string_view prefix,
                          detail::FunctionRef<void(std::string_view, Value::View)> visit);
  std::vector<std::string> store_multi(const std::vector<std::pair<Key, detail::Encoded>>& items, Expiry time,
                                       std::string_view prefix, std::size_t min_compress_len, bool noreply);
  bool remove_multi(const KeyList& keys, Expiry time, std::string_view prefix, bool noreply);
  std::optional<std::uint64_t> arith(bool incr, const Key& key, std::uint64_t delta, bool noreply);

  std::unique_ptr<Impl> impl_;
};

}  // namespace memcache

#endif  // MEMCACHE_CLIENT_HPP
