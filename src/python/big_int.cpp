#include "python/big_int.hpp"

#include <cstdint>
#include <vector>

namespace memcache::python {

namespace {

constexpr std::uint32_t billion = 1000000000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Magnitude as little-endian 32-bit limbs, from decimal digits.
std::vector<std::uint32_t> limbs_of_decimal(std::string_view digits) {
  std::vector<std::uint32_t> limbs;
  std::size_t pos = 0;
  const std::size_t first = digits.size() % 9 == 0 ? 9 : digits.size() % 9;
  std::size_t take = first;
  while (pos < digits.size()) {
    std::uint32_t chunk = 0;
    std::uint32_t scale = 1;
    for (std::size_t i = 0; i < take; ++i) {
      chunk = chunk * 10 + static_cast<std::uint32_t>(digits[pos + i] - '0');
      scale *= 10;
    }
    pos += take;
    take = 9;
    std::uint64_t carry = chunk;
    for (auto& limb : limbs) {
      const std::uint64_t v = std::uint64_t(limb) * scale + carry;
      limb = static_cast<std::uint32_t>(v);
      carry = v >> 32;
    }
    if (carry) limbs.push_back(static_cast<std::uint32_t>(carry));
  }
  return limbs;
}

}  // namespace

std::optional<std::string> canonical_decimal(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  std::string digits;
  bool last_digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (!(digits.empty() && c == '0')) digits += c;
      last_digit = true;
    } else if (c == '_' && last_digit) {
      last_digit = false;
    } else {
      return std::nullopt;
    }
    if (digits.size() > max_int_digits) return std::nullopt;
  }
  if (!last_digit) return std::nullopt;  // empty, or ends in '_'
  if (digits.empty()) return std::string("0");
  return negative ? "-" + digits : digits;
}

std::string twos_complement_to_decimal(std::string_view bytes) {
  if (bytes.empty()) return "0";
  const bool negative = (static_cast<unsigned char>(bytes.back()) & 0x80) != 0;
  // Magnitude bytes: for a negative number, invert and add one.
  std::vector<std::uint8_t> mag(bytes.begin(), bytes.end());
  if (negative) {
    unsigned carry = 1;
    for (auto& b : mag) {
      const unsigned v = static_cast<unsigned>(static_cast<std::uint8_t>(~b)) + carry;
      b = static_cast<std::uint8_t>(v);
      carry = v >> 8;
    }
  }
  std::vector<std::uint32_t> limbs((mag.size() + 3) / 4, 0);
  for (std::size_t i = 0; i < mag.size(); ++i) limbs[i / 4] |= std::uint32_t(mag[i]) << (8 * (i % 4));
  while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  if (limbs.empty()) return "0";
  // Repeated division by 10^9, least significant chunk first.
  std::vector<std::uint32_t> chunks;
  while (!limbs.empty()) {
    std::uint64_t rem = 0;
    for (std::size_t i = limbs.size(); i-- > 0;) {
      const std::uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = static_cast<std::uint32_t>(cur / billion);
      rem = cur % billion;
    }
    chunks.push_back(static_cast<std::uint32_t>(rem));
    while (!limbs.empty() && limbs.back() == 0) limbs.pop_back();
  }
  std::string out = negative ? "-" : "";
  out += std::to_string(chunks.back());
  for (std::size_t i = chunks.size() - 1; i-- > 0;) {
    std::string part = std::to_string(chunks[i]);
    out.append(9 - part.size(), '0');
    out += part;
  }
  return out;
}

std::string decimal_to_twos_complement(std::string_view decimal) {
  const bool negative = !decimal.empty() && decimal.front() == '-';
  if (negative) decimal.remove_prefix(1);
  const std::vector<std::uint32_t> limbs = limbs_of_decimal(decimal);
  std::vector<std::uint8_t> bytes;
  for (std::uint32_t limb : limbs) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(limb >> (8 * i)));
  }
  while (!bytes.empty() && bytes.back() == 0) bytes.pop_back();
  if (bytes.empty()) return {};
  bytes.push_back(0);  // room for the sign bit
  if (negative) {
    unsigned carry = 1;
    for (auto& b : bytes) {
      const unsigned v = static_cast<unsigned>(static_cast<std::uint8_t>(~b)) + carry;
      b = static_cast<std::uint8_t>(v);
      carry = v >> 8;
    }
    // Shortest form: drop 0xff bytes the sign bit below already implies.
    while (bytes.size() > 1 && bytes.back() == 0xff && (bytes[bytes.size() - 2] & 0x80) != 0) bytes.pop_back();
  } else {
    while (bytes.size() > 1 && bytes.back() == 0 && (bytes[bytes.size() - 2] & 0x80) == 0) bytes.pop_back();
  }
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace memcache::python
