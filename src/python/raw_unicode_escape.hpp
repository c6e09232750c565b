#ifndef MEMCACHE_SRC_PYTHON_RAW_UNICODE_ESCAPE_HPP
#define MEMCACHE_SRC_PYTHON_RAW_UNICODE_ESCAPE_HPP

// Python's 'raw-unicode-escape' codec, in which pickle protocol 0 writes a
// str (the UNICODE opcode): code points below 256 as one byte (Latin-1), the
// others as \uXXXX or \UXXXXXXXX.

#include <optional>
#include <string>
#include <string_view>

namespace memcache::python {

/// The str (as UTF-8) that `raw` encodes; empty when an escape is malformed.
std::optional<std::string> decode_raw_unicode_escape(std::string_view raw);

/// The UNICODE opcode's argument for a str given as UTF-8, as CPython's
/// pickler writes it: \, NUL, \n, \r and \x1a escaped too, so that the line
/// holds no newline. Empty when `utf8` is not UTF-8.
std::optional<std::string> encode_raw_unicode_escape(std::string_view utf8);

}  // namespace memcache::python

#endif  // MEMCACHE_SRC_PYTHON_RAW_UNICODE_ESCAPE_HPP
