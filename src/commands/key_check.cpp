#include "commands/key_check.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "support/escape.hpp"

#include <fmt/format.h>

#include <memcache/error.hpp>

namespace memcache::detail {

void reject_key(std::string_view key, std::size_t extra_length, std::size_t max_length) {
  if (key.empty() && extra_length == 0) throw KeyNoneError("memcache key is empty");
  if (max_length != 0 && key.size() + extra_length > max_length) {
    throw KeyLengthError(fmt::format("memcache key is {} bytes{}, longer than server_max_key_length {}: \"{}\"",
                                     key.size() + extra_length, extra_length ? " with its prefix" : "", max_length,
                                     escape(key)));
  }
  for (char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (key_bytes::forbidden(c)) {
      throw KeyCharacterError(
          fmt::format("memcache key holds a space or control character (0x{:02x}): \"{}\"", c, escape(key)));
    }
  }
  throw std::logic_error("reject_key called for a good key");
}

}  // namespace memcache::detail
