#ifndef MEMCACHE_TESTS_SUPPORT_TEST_PROTOCOL_HPP
#define MEMCACHE_TESTS_SUPPORT_TEST_PROTOCOL_HPP

#include <cstdlib>
#include <cstring>

#include <memcache/options.hpp>

namespace memcache::test {

/// The wire protocol a test suite's clients speak: text, or meta when the
/// environment says MEMCACHE_TEST_PROTOCOL=meta (CTest runs the integration,
/// async and reliability suites both ways).
inline memcache::Protocol test_protocol() {
  const char* p = std::getenv("MEMCACHE_TEST_PROTOCOL");
  return p != nullptr && std::strcmp(p, "meta") == 0 ? memcache::Protocol::meta : memcache::Protocol::text;
}

/// Default options, in the suite's protocol.
inline memcache::Options protocol_options() {
  memcache::Options o;
  o.protocol = test_protocol();
  return o;
}

/// `o` over the text protocol, whatever the suite's: for what only text
/// speaks (twemproxy) or what only text does (a multi-key get line).
inline memcache::Options text_protocol(memcache::Options o) {
  o.protocol = memcache::Protocol::text;
  return o;
}

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_TEST_PROTOCOL_HPP
