// How python-memcached stores a Python object, both ways: str as flag 16,
// bytes 0, int 2 (decimal), anything else a pickle with flag 1.

#include <fmt/format.h>

#include <memcache/codec.hpp>
#include <memcache/python.hpp>

#include "python/big_int.hpp"
#include "python/opcodes.hpp"
#include "python/utf8.hpp"

namespace memcache::detail {

namespace {

// Every pickle ends with STOP and starts with PROTO (protocol 2 and later) or
// one of the opcodes protocols 0 and 1 begin with. Perl's Storable and PHP's
// serializers, which use flag 1 too, do not look like that.
bool looks_like_pickle(std::string_view b) {
  if (b.size() < 2 || b.back() != '.') return false;
  const auto first = static_cast<std::uint8_t>(b.front());
  if (first == python::op::PROTO) return static_cast<std::uint8_t>(b[1]) <= 5;
  return python::op::name(first) != nullptr && first < 0x80;
}

}  // namespace

Value encode_python(const PyValue& v, int protocol) {
  switch (v.type()) {
    case PyValue::Type::str:
      if (!python::is_utf8(v.as_str())) throw ValueError("a Python str must be UTF-8");
      return Value(v.as_str(), flags::text);
    case PyValue::Type::bytes:
      return Value(v.as_bytes(), 0);
    case PyValue::Type::integer:
      return Value(v.int_str(), flags::integer);
    default:
      return Value(pickle(v, protocol), flags::pickle);
  }
}

PyValue decode_python(const Value& v) {
  const std::uint32_t f = v.flags();
  // The order python-memcached's _recv_value tests the flags in.
  if (f == 0) return PyValue::bytes(v.bytes());
  if (f & flags::text) {
    if (!python::is_utf8(v.bytes())) throw ValueError("value with flag 16 (Python str) is not UTF-8");
    return PyValue(v.bytes());
  }
  if (f & (flags::integer | flags::long_integer)) {
    if (!python::canonical_decimal(v.bytes())) throw_not_integer(v.bytes(), "a Python int");
    return PyValue::integer(v.bytes());
  }
  if (f & flags::pickle) {
    if (!looks_like_pickle(v.bytes())) {
      throw ValueError(
          "value with flag 1 is not a Python pickle (Perl's Storable and PHP's serializers also use flag 1); "
          "read it as memcache::Value");
    }
    return unpickle(v.bytes());
  }
  throw_bad_flags(f, "memcache::PyValue");
}

bool decode_python_bool(const Value& v) { return PyConvert<bool>::from_py(decode_python(v)); }

}  // namespace memcache::detail
