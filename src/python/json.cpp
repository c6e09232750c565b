// PyValue::to_json: the JSON subset of Python values, as json.dumps writes
// them (tuples as arrays, floats as repr), with UTF-8 left as is.

#include <cmath>

#include <fmt/format.h>

#include <memcache/python.hpp>

#include "python/float_repr.hpp"
#include "python/utf8.hpp"

namespace memcache {

namespace {

using Type = PyValue::Type;

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  std::size_t pos = 0;
  std::uint32_t cp = 0;
  while (pos < s.size()) {
    const auto c = static_cast<std::uint8_t>(s[pos]);
    if (c >= 0x80) {
      const std::size_t start = pos;
      if (!python::next_code_point(s, pos, cp)) throw ValueError("str is not UTF-8: cannot write it as JSON");
      if (cp >= 0xd800 && cp < 0xe000) {
        out += fmt::format("\\u{:04x}", cp);  // a lone surrogate, which UTF-8 cannot carry
      } else {
        out.append(s, start, pos - start);
      }
      continue;
    }
    ++pos;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

[[noreturn]] void not_json(const char* what) {
  throw ValueError(
      fmt::format("{} has no JSON form (JSON holds None, bool, int, float, str, list, tuple and dicts "
                  "with str keys)",
                  what));
}

void append_json(std::string& out, const PyValue& v) {
  switch (v.type()) {
    case Type::none:
      out += "null";
      break;
    case Type::boolean:
      out += v.as_bool() ? "true" : "false";
      break;
    case Type::integer:
      out += v.int_str();
      break;
    case Type::floating:
      if (!std::isfinite(v.as_float())) not_json("a float that is not finite");
      out += python::float_repr(v.as_float());
      break;
    case Type::str:
      append_json_string(out, v.as_str());
      break;
    case Type::list:
    case Type::tuple: {
      out += '[';
      bool first = true;
      for (const auto& e : v.elements()) {
        if (!first) out += ',';
        first = false;
        append_json(out, e);
      }
      out += ']';
      break;
    }
    case Type::dict: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!k.is_str()) not_json("a dict key that is not a str");
        if (!first) out += ',';
        first = false;
        append_json_string(out, k.as_str());
        out += ':';
        append_json(out, e);
      }
      out += '}';
      break;
    }
    case Type::bytes:
      not_json("bytes");
    case Type::set:
      not_json("a set");
    case Type::frozenset:
      not_json("a frozenset");
  }
}

}  // namespace

std::string PyValue::to_json() const {
  std::string out;
  append_json(out, *this);
  return out;
}

}  // namespace memcache
