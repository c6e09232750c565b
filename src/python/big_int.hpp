#ifndef MEMCACHE_SRC_PYTHON_BIG_INT_HPP
#define MEMCACHE_SRC_PYTHON_BIG_INT_HPP

// Python ints of any size, as decimal text (how PyValue holds them and how
// flag 2 and pickle protocol 0 write them) and as little-endian two's
// complement bytes (pickle's LONG1/LONG4).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace memcache::python {

/// Largest int accepted, in decimal digits (CPython itself refuses to turn
/// ints longer than 4300 digits into text or back by default).
inline constexpr std::size_t max_int_digits = 10000;
/// Largest LONG1/LONG4 payload accepted (about max_int_digits).
inline constexpr std::size_t max_long_bytes = 4150;

/// `text` as a canonical decimal ("-12", "0"): optional sign, digits, no
/// leading zeros; surrounding ASCII whitespace and '_' between digits are
/// accepted as Python's int() accepts them. Empty when it is not an integer
/// or is longer than max_int_digits.
std::optional<std::string> canonical_decimal(std::string_view text);

/// Little-endian two's complement bytes (empty is 0) as canonical decimal.
std::string twos_complement_to_decimal(std::string_view bytes);

/// Canonical decimal as the shortest little-endian two's complement bytes,
/// as CPython's pickle.encode_long writes them (0 is empty).
std::string decimal_to_twos_complement(std::string_view decimal);

}  // namespace memcache::python

#endif  // MEMCACHE_SRC_PYTHON_BIG_INT_HPP
