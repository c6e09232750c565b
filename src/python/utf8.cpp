#include "python/utf8.hpp"

namespace memcache::python {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

bool next_code_point(std::string_view s, std::size_t& pos, std::uint32_t& cp, bool surrogates) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t b0 = byte(pos);
  std::size_t n = 0;
  std::uint32_t v = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    ++pos;
    return true;
  } else if ((b0 & 0xe0) == 0xc0) {
    n = 2;
    v = b0 & 0x1fu;
    min = 0x80;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 3;
    v = b0 & 0x0fu;
    min = 0x800;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 4;
    v = b0 & 0x07u;
    min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - pos < n) return false;
  for (std::size_t i = 1; i < n; ++i) {
    const std::uint8_t b = byte(pos + i);
    if ((b & 0xc0) != 0x80) return false;
    v = (v << 6) | (b & 0x3fu);
  }
  if (v < min || v > 0x10ffff) return false;
  if (!surrogates && v >= 0xd800 && v < 0xe000) return false;
  cp = v;
  pos += n;
  return true;
}

bool is_utf8(std::string_view s) {
  std::size_t pos = 0;
  std::uint32_t cp = 0;
  while (pos < s.size()) {
    // ASCII runs are the common case.
    if (static_cast<std::uint8_t>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    if (!next_code_point(s, pos, cp)) return false;
  }
  return true;
}

}  // namespace memcache::python
