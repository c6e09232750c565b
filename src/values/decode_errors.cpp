#include <fmt/format.h>

#include <memcache/codec.hpp>

namespace memcache::detail {

void throw_bad_flags(std::uint32_t f, const char* type) {
  const char* hint = (f & flags::pickle)
                         ? " (flag 1: a Python pickle, read it as memcache::PyValue; or another serializer's data, "
                           "read it as memcache::Value)"
                         : "";
  throw ValueError(fmt::format("value with flags {} cannot be decoded as {}{}", f, type, hint));
}

void throw_not_integer(std::string_view bytes, const char* type) {
  throw ValueError(fmt::format("value \"{}\" is not {}", bytes.substr(0, 40), type));
}

}  // namespace memcache::detail
