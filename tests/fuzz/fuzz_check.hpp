#ifndef MEMCACHE_TESTS_FUZZ_FUZZ_CHECK_HPP
#define MEMCACHE_TESTS_FUZZ_FUZZ_CHECK_HPP

#include <cstdio>
#include <cstdlib>

/// An invariant of a fuzz target: when it fails, libFuzzer records the input
/// as a crash (assert() is compiled out in RelWithDebInfo).
#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#endif  // MEMCACHE_TESTS_FUZZ_FUZZ_CHECK_HPP
