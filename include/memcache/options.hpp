#ifndef MEMCACHE_OPTIONS_HPP
#define MEMCACHE_OPTIONS_HPP

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <memcache/tls_options.hpp>

namespace memcache {

/// How keys are mapped to servers.
enum class Hashing {
  /// python-memcached 1.60 and later, bit for bit:
  /// `((crc32(key) >> 16) & 0x7fff) % len(buckets)`.
  python,
  /// python-memcached up to 1.59 (Debian 12's python3-memcache): the same,
  /// except that a hash of 0 becomes 1.
  python_1_59,
  /// libmemcached's weighted ketama (MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED).
  ketama,
};

/// Everything a Client can be told, one field per python-memcached keyword
/// plus what C++ needs. A plain struct: set what you need, keep the rest.
///
///     memcache::Options options;
///     options.socket_timeout = std::chrono::milliseconds(500);
///     memcache::Client mc({"127.0.0.1:11211"}, options);
struct Options {
  /// Log why calls fail (python-memcached's `debug`), through `log`.
  bool debug = false;
  /// Longest key accepted, prefix included; 0 turns the check off.
  std::size_t server_max_key_length = 250;
  /// Longest value sent after encoding and compression; longer values are not
  /// sent and the call returns false. 0 turns the limit off. Values other
  /// clients stored are read up to `max_value_read_length` instead.
  std::size_t server_max_value_length = 1024 * 1024;
  /// Longest value read back (memcached's `-I` can be up to 1 GiB; other
  /// clients may store what this one would not send). A longer value is
  /// skipped on the wire without being buffered and fails only its own key
  /// (a miss for `get`/`get_multi`, `errc::bad_value` for `async_get`); the
  /// connection and every other key are unaffected. A server announcing more
  /// than 1 GiB is lying: the connection is closed. 0: no limit but that one.
  std::size_t max_value_read_length = 128 * 1024 * 1024;
  /// How long a server that failed is skipped before it is tried again.
  std::chrono::seconds dead_retry{30};
  /// Once `dead_retry` is up, one call at a time probes the dead server (the
  /// others keep skipping it and rehash as before); a probe that fails skips
  /// it for this long only (or `dead_retry` when that is shorter), so a
  /// server that comes back is used again within about this interval, and a
  /// server still down costs one call per interval a failed connect.
  std::chrono::milliseconds dead_probe_interval{1000};
  /// Longest wait for a server on any read or write (and for a free pooled
  /// connection); a server that stays silent this long fails the call and is
  /// marked dead.
  std::chrono::milliseconds socket_timeout{3000};
  /// Longest wait for a TCP or unix-socket connect.
  std::chrono::milliseconds connect_timeout{3000};
  /// Remember the cas unique of each `gets` so that `cas` can use it.
  bool cache_cas = false;
  /// Send `flush_all` to a server when it comes back after being marked dead.
  bool flush_on_reconnect = false;
  /// Check every key before it reaches the wire (python-memcached's check_keys).
  bool check_keys = true;

  /// Most connections kept open to one server; callers beyond that wait (up to
  /// `socket_timeout`) for one to be returned. A server that refuses a
  /// connection (memcached `-c`: "Too many open connections") lowers this
  /// bound to what it accepted: the refused request waits for a pooled
  /// connection instead of failing (the sync client; forgotten when the
  /// server is marked dead or on disconnect_all()).
  std::size_t max_connections_per_server = 16;
  /// AsyncClient: most requests written to one connection and still waiting
  /// for their replies; later ones queue until replies come back.
  std::size_t max_requests_in_flight = 1024;
  /// Server selection scheme.
  Hashing hashing = Hashing::python;
  /// Compresses a value when `min_compress_len` asks for it; empty means zlib,
  /// as python-memcached's `zlib.compress`.
  std::function<std::string(std::string_view)> compressor;
  /// Level of that default compressor (libdeflate writing the zlib format,
  /// 0-12): -1 is 5, which comes within 5% of the size python-memcached's
  /// `zlib.compress` (zlib level 6) makes, at about twice its speed; 1 is
  /// several times faster again for somewhat larger values; 9-12 are
  /// smaller and much slower. Every level reads back the same way (flag 8, a
  /// zlib stream), here and in Python. README's "Compression" says which to
  /// choose.
  int compress_level = -1;
  /// Undoes `compressor` for values with flag 8; empty means zlib.
  std::function<std::string(std::string_view)> decompressor;
  /// Where `debug` messages go; empty means stderr, as "MemCached: <message>".
  std::function<void(std::string_view)> log;
  /// TLS to every server (see TlsOptions); off by default.
  TlsOptions tls;
};

}  // namespace memcache

#endif  // MEMCACHE_OPTIONS_HPP
