#ifndef MEMCACHE_TESTS_TLS_TLS_TEST_HPP
#define MEMCACHE_TESTS_TLS_TLS_TEST_HPP

// Helpers for the TLS tests: one set of certificates per test program, TLS
// memcached servers, and client options that trust the test CA.

#include <string>
#include <vector>

#include "reliability.hpp"
#include "test_certs.hpp"

namespace tlstest {

using namespace rtest;
using memcache::test::TestCerts;

/// Made once: openssl's key generation is the slow part.
inline const TestCerts& certs() {
  static const TestCerts made;
  return made;
}

/// A memcached that speaks TLS only; `verify_mode` 2 requires a client
/// certificate signed by the test CA.
inline std::unique_ptr<MemcachedServer> tls_server(int verify_mode = 0) {
  return std::make_unique<MemcachedServer>(MemcachedServer::Transport::tcp, certs().server_args(verify_mode));
}

/// fast_options() with TLS on, trusting the test CA.
inline memcache::Options tls_options(memcache::Options o = fast_options()) {
  o.tls.enabled = true;
  o.tls.ca_file = certs().ca();
  return o;
}

/// With a log that the checks can read.
inline memcache::Options logged(memcache::Options o, LogCapture& log) {
  o.debug = true;
  o.log = log.sink();
  return o;
}

/// One numeric stat of a TLS server, through a fresh TLS probe (with long
/// timeouts: its handshake must not fail on a loaded machine).
inline std::uint64_t tls_stat(const MemcachedServer& server, const std::string& name) {
  return memcache::test::stat_of(memcache::Client({server.spec()}, tls_options(steady_options())), name);
}

inline std::string localhost_spec(const MemcachedServer& s) { return "localhost:" + std::to_string(s.port()); }

/// Every message, for a failed check to show.
inline std::string all(const LogCapture& log) {
  std::string out;
  for (const auto& m : log.messages()) out += m + "\n";
  return out;
}

}  // namespace tlstest

#endif  // MEMCACHE_TESTS_TLS_TLS_TEST_HPP
