#include "python/float_repr.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace memcache::python {

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // Shortest round-trip digits and exponent, then Python's layout: fixed
  // notation when the decimal exponent is in [-5, 16), else scientific.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.erase(0, 1);
  }
  const std::size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  const int exp = std::atoi(sci.c_str() + e + 1);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  const int n = static_cast<int>(digits.size());
  if (exp < -4 || exp >= 16) {
    out += digits[0];
    if (n > 1) out += "." + digits.substr(1);
    out += exp < 0 ? "e-" : "e+";
    const int a = std::abs(exp);
    if (a < 10) out += '0';
    out += std::to_string(a);
  } else if (exp < 0) {
    out += "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
  } else if (exp + 1 >= n) {
    out += digits + std::string(static_cast<std::size_t>(exp + 1 - n), '0') + ".0";
  } else {
    const auto point = static_cast<std::size_t>(exp) + 1;  // 0 <= exp < n - 1 here
    out += digits.substr(0, point) + "." + digits.substr(point);
  }
  return out;
}

}  // namespace memcache::python
