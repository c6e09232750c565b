#include "cluster/hashing/python_hash.hpp"

#include <fmt/format.h>
#include <zlib.h>

namespace memcache::detail {

std::uint32_t python_hash(std::string_view key, bool zero_as_one) {
  // zlib's crc32 takes a uInt length; feed long keys in pieces.
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!key.empty()) {
    auto n = static_cast<uInt>(std::min<std::size_t>(key.size(), 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(key.data()), n);
    key.remove_prefix(n);
  }
  auto h = static_cast<std::uint32_t>(((crc & 0xffffffffUL) >> 16) & 0x7fff);
  return (h == 0 && zero_as_one) ? 1 : h;
}

std::uint32_t python_rehash(std::uint64_t h, unsigned attempt, bool zero_as_one) {
  fmt::memory_buffer buf;
  fmt::format_to(std::back_inserter(buf), "{}{}", h, attempt);
  return python_hash(std::string_view(buf.data(), buf.size()), zero_as_one);
}

}  // namespace memcache::detail
