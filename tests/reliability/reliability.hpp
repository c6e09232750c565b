#ifndef MEMCACHE_TESTS_RELIABILITY_RELIABILITY_HPP
#define MEMCACHE_TESTS_RELIABILITY_RELIABILITY_HPP

// Helpers for the reliability tests: short timeouts, values that name their
// key (so a reply handed to the wrong caller is caught), per-server probes
// that bypass the client under test, and a recording log sink.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/memcache.hpp>

#include "fault_proxy.hpp"
#include "log_capture.hpp"
#include "memcached_server.hpp"
#include "server_stat.hpp"
#include "test_protocol.hpp"

namespace rtest {

using memcache::test::FaultProxy;
using memcache::test::MemcachedServer;
using Clock = std::chrono::steady_clock;
using OptStr = std::optional<std::string>;
using namespace std::chrono_literals;

/// socket_timeout in every test, and what a call may take beyond it on a
/// loaded 2-core machine (sanitizer builds included).
constexpr long long timeout_ms = 200;
constexpr long long slack_ms = 400;

inline memcache::Options fast_options() {
  memcache::Options o = memcache::test::protocol_options();  // text, or meta under MEMCACHE_TEST_PROTOCOL=meta
  o.socket_timeout = std::chrono::milliseconds(timeout_ms);
  o.connect_timeout = std::chrono::milliseconds(timeout_ms);
  o.dead_retry = 1s;
  return o;
}

/// For tests in which no server fails: a timeout there could only come from a
/// loaded machine or a sanitizer being slow, never from what is under test,
/// so it is long (the tests' own run bounds still catch a hang).
inline memcache::Options steady_options() {
  memcache::Options o = fast_options();
  o.socket_timeout = 10s;
  o.connect_timeout = 10s;
  return o;
}

/// Runs `call` (a setup call that must succeed, through a client whose short
/// timeouts are under test) until it returns true, a few times at most: on a
/// loaded machine one may time out before the test has begun.
template <class Call>
bool succeeds_within_tries(Call&& call, int tries = 10) {
  for (int i = 0; i < tries; ++i) {
    if (call()) return true;
  }
  return false;
}

/// A value that names its key; its length varies with the key, so a reply
/// cut, shifted or handed to another key never passes for the right one.
inline std::string value_for(const std::string& key) {
  std::string v = "value-of:" + key + ":";
  const std::size_t repeat = key.size() % 7;
  for (std::size_t i = 0; i < repeat; ++i) v += key;
  return v;
}

/// An optional number as text, so a failed check shows it.
inline std::string show(const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : "nullopt"; }

inline long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

/// A client on one server only, straight to it (never through a proxy the
/// test stalls): with steady_options(), as a loaded machine must not fail it.
inline memcache::Client probe(const MemcachedServer& server) {
  return memcache::Client({server.spec()}, steady_options());
}

/// One numeric stat of one server, through a fresh probe.
inline std::uint64_t server_stat(const MemcachedServer& server, const std::string& name) {
  return memcache::test::stat_of(probe(server), name);
}

using memcache::test::LogCapture;

}  // namespace rtest

#endif  // MEMCACHE_TESTS_RELIABILITY_RELIABILITY_HPP
