#ifndef MEMCACHE_TESTS_INTEGRATION_COMMON_HPP
#define MEMCACHE_TESTS_INTEGRATION_COMMON_HPP

// Helpers shared by the integration tests: transports, per-server probes that
// bypass the client under test's routing, a log sink that records, and a
// listener that proves nothing reached the wire.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/memcache.hpp>

#include "log_capture.hpp"
#include "memcached_server.hpp"
#include "server_stat.hpp"
#include "silent_listener.hpp"
#include "test_protocol.hpp"

namespace itest {

using memcache::test::MemcachedServer;
using Transport = MemcachedServer::Transport;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Runs the enclosing test body once over TCP and once over a unix socket.
#define ITEST_ANY_TRANSPORT() GENERATE(::itest::Transport::tcp, ::itest::Transport::unix_socket)

inline const char* transport_name(Transport t) { return t == Transport::tcp ? "tcp" : "unix socket"; }

/// Default options, in the protocol the suite runs over (text, or meta under
/// MEMCACHE_TEST_PROTOCOL=meta).
inline memcache::Options options() { return memcache::test::protocol_options(); }

/// Options for tests: short waits so failures are quick.
inline memcache::Options quick_options() {
  memcache::Options o = options();
  o.socket_timeout = 200ms;
  o.connect_timeout = 200ms;
  o.dead_retry = 1s;
  return o;
}

/// A client on one server only: sees what that server holds, whatever the
/// routing of the client under test. Its server is never the one a test
/// stalls, so its timeouts are long: a loaded machine must not fail it.
inline memcache::Client probe(const MemcachedServer& server) {
  memcache::Options o = options();
  o.socket_timeout = 10s;
  o.connect_timeout = 10s;
  return memcache::Client({server.spec()}, o);
}

/// One numeric stat of one server, read through a fresh probe.
inline std::uint64_t server_stat(const MemcachedServer& server, const std::string& name) {
  return memcache::test::stat_of(probe(server), name);
}

/// For each server, which of `keys` it holds.
inline std::vector<std::vector<std::string>> holders(const std::vector<const MemcachedServer*>& servers,
                                                     const std::vector<std::string>& keys) {
  std::vector<std::vector<std::string>> out;
  for (const MemcachedServer* s : servers) {
    auto found = probe(*s).get_multi(keys);
    std::vector<std::string> held;
    for (const auto& k : keys) {
      if (found.count(k)) held.push_back(k);
    }
    out.push_back(std::move(held));
  }
  return out;
}

/// Index of the one server holding `key`; -1 when none does, -2 when several do.
inline int holder_of(const std::vector<const MemcachedServer*>& servers, const std::string& key) {
  int found = -1;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (probe(*servers[i]).get(key)) found = found == -1 ? static_cast<int>(i) : -2;
  }
  return found;
}

using memcache::test::LogCapture;

using memcache::test::SilentListener;

/// Milliseconds since `start`.
inline long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

using OptStr = std::optional<std::string>;

/// python-memcached's server hash, written out independently of the library:
/// (crc32(key) >> 16) & 0x7fff.
inline std::uint32_t python_hash(std::string_view key) {
  std::uint32_t crc = 0xffffffffu;
  for (char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    crc ^= c;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xffffffffu;
  return (crc >> 16) & 0x7fff;
}

/// The server python-memcached picks for `key` over `n` equal servers when
/// those in `dead` are skipped: rehash h = hash(str(h) + str(i)), 10 tries.
inline int python_server(std::string_view key, std::size_t n, const std::vector<bool>& dead) {
  std::uint32_t h = python_hash(key);
  for (int i = 0; i < 10; ++i) {
    const std::size_t server = h % n;
    if (!dead[server]) return static_cast<int>(server);
    h = python_hash(std::to_string(h) + std::to_string(i));
  }
  return -1;
}

}  // namespace itest

#endif  // MEMCACHE_TESTS_INTEGRATION_COMMON_HPP
