// libFuzzer target: the pickle reader (memcache::unpickle), and the codec
// that reads python-memcached's flags.
//
// Input: a pickle, as memcached would hand it over with flag 1.
//
// It must never crash, hang, leak or read out of bounds, and must throw
// nothing but memcache::ValueError; memory stays bounded by UnpickleLimits.
// What it reads must survive the writer: pickled again at every protocol and
// read back, it is the same value (bit for bit at protocols 1-5; protocol 0
// writes floats as text, where NaN payloads are lost as in CPython).
// to_json and repr work on it or throw ValueError.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <memcache/error.hpp>
#include <memcache/python.hpp>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  memcache::UnpickleLimits limits;
  limits.max_elements = 100000;  // enough for every seed, small enough for fast runs
  limits.max_bytes = std::size_t(16) << 20;

  memcache::PyValue v;
  try {
    v = memcache::unpickle(input, limits);
  } catch (const memcache::ValueError&) {
    return 0;
  }
  FUZZ_CHECK(compare(v, v) == 0);
  for (int protocol = 0; protocol <= 5; ++protocol) {
    const std::string again = memcache::pickle(v, protocol);
    const memcache::PyValue back = memcache::unpickle(again, limits);
    if (protocol > 0) FUZZ_CHECK(back == v);
    FUZZ_CHECK(back.type() == v.type());
  }
  (void)v.repr();
  try {
    (void)v.to_json();
  } catch (const memcache::ValueError&) {
  }
  // The codec's path: flag 1, with the not-a-pickle check first.
  try {
    FUZZ_CHECK(memcache::detail::decode_python(memcache::Value(std::string(input), 1)) == v);
  } catch (const memcache::ValueError&) {
    // Only when the bytes do not look like a pickle (e.g. data after STOP).
  }
  return 0;
}
