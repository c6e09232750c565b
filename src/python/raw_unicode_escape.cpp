#include "python/raw_unicode_escape.hpp"

#include <cstdint>

#include "python/utf8.hpp"

namespace memcache::python {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_escape(std::string& out, std::uint32_t cp) {
  static const char digits[] = "0123456789abcdef";
  const int width = cp > 0xffff ? 8 : 4;
  out += '\\';
  out += width == 8 ? 'U' : 'u';
  for (int i = width - 1; i >= 0; --i) out += digits[(cp >> (4 * i)) & 0xf];
}

}  // namespace

std::optional<std::string> decode_raw_unicode_escape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<std::uint8_t>(raw[i]);
    if (c != '\\') {
      append_utf8(out, c);
      continue;
    }
    // As CPython: \u and \U are escapes only after an odd run of backslashes.
    std::size_t run = 0;
    while (i + run < raw.size() && raw[i + run] == '\\') ++run;
    const std::size_t next = i + run;
    const bool escape = run % 2 == 1 && next < raw.size() && (raw[next] == 'u' || raw[next] == 'U');
    out.append(escape ? run - 1 : run, '\\');
    i = next - 1;
    if (!escape) continue;
    const std::size_t width = raw[next] == 'u' ? 4 : 8;
    if (raw.size() - (next + 1) < width) return std::nullopt;
    std::uint32_t cp = 0;
    for (std::size_t k = 0; k < width; ++k) {
      const int d = hex_digit(raw[next + 1 + k]);
      if (d < 0) return std::nullopt;
      cp = (cp << 4) | static_cast<std::uint32_t>(d);
    }
    if (cp > 0x10ffff) return std::nullopt;
    append_utf8(out, cp);
    i = next + width;
  }
  return out;
}

std::optional<std::string> encode_raw_unicode_escape(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t pos = 0;
  std::uint32_t cp = 0;
  while (pos < utf8.size()) {
    if (!next_code_point(utf8, pos, cp)) return std::nullopt;
    if (cp == '\\' || cp == 0 || cp == '\n' || cp == '\r' || cp == 0x1a || cp > 0xff) {
      append_escape(out, cp);
    } else {
      out += static_cast<char>(cp);
    }
  }
  return out;
}

}  // namespace memcache::python
