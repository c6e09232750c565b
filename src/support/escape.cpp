#include "support/escape.hpp"

#include <fmt/format.h>

namespace memcache::detail {

std::string escape(std::string_view bytes, std::size_t limit) {
  std::string out;
  for (char ch : bytes.substr(0, limit)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  if (bytes.size() > limit) out += "...";
  return out;
}

}  // namespace memcache::detail
