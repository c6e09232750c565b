#ifndef MEMCACHE_SRC_PYTHON_UTF8_HPP
#define MEMCACHE_SRC_PYTHON_UTF8_HPP

// UTF-8 as Python's str travels in pickles: 'surrogatepass', so a lone
// surrogate (which a Python str may hold) is three bytes, as CPython writes it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace memcache::python {

/// Appends code point `cp` (at most 0x10ffff) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

/// Decodes the code point at `pos` and advances past it; false (pos
/// unchanged) when the bytes there are not UTF-8. Surrogates are accepted
/// when `surrogates` is true.
bool next_code_point(std::string_view s, std::size_t& pos, std::uint32_t& cp, bool surrogates = true);

/// Whether `s` is UTF-8 (surrogates accepted, as CPython's pickle does).
bool is_utf8(std::string_view s);

}  // namespace memcache::python

#endif  // MEMCACHE_SRC_PYTHON_UTF8_HPP
