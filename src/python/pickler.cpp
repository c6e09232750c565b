// The pickle writer: the opcodes CPython's pickler chooses for each type at
// each protocol, so that Python reads back an equal object of the same
// types. No memo is written (a PyValue is a tree: nothing is shared).

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <memcache/python.hpp>

#include "python/big_int.hpp"
#include "python/float_repr.hpp"
#include "python/opcodes.hpp"
#include "python/raw_unicode_escape.hpp"
#include "python/utf8.hpp"

namespace memcache {

namespace {

using Type = PyValue::Type;
namespace op = python::op;

// CPython's pickler writes APPENDS, SETITEMS and ADDITEMS in batches of this many.
constexpr std::size_t batch_size = 1000;

class Pickler {
 public:
  explicit Pickler(int protocol) : proto_(protocol) {}

  std::string dump(const PyValue& v) {
    if (proto_ >= 2) {
      put(op::PROTO);
      put(static_cast<std::uint8_t>(proto_));
    }
    save(v);
    put(op::STOP);
    return std::move(out_);
  }

 private:
  void put(std::uint8_t b) { out_ += static_cast<char>(b); }
  template <class Int>
  void little_endian(Int v) {
    auto u = static_cast<std::uint64_t>(v);
    for (std::size_t k = 0; k < sizeof(Int); ++k) out_ += static_cast<char>((u >> (8 * k)) & 0xff);
  }
  void line(std::uint8_t code, std::string_view text) {
    put(code);
    out_ += text;
    out_ += '\n';
  }

  void save(const PyValue& v) {
    switch (v.type()) {
      case Type::none:
        put(op::NONE);
        break;
      case Type::boolean:
        if (proto_ >= 2) {
          put(v.as_bool() ? op::NEWTRUE : op::NEWFALSE);
        } else {
          line(op::INT, v.as_bool() ? "01" : "00");
        }
        break;
      case Type::integer:
        save_int(v);
        break;
      case Type::floating:
        save_float(v.as_float());
        break;
      case Type::str:
        save_str(v.as_str());
        break;
      case Type::bytes:
        save_bytes(v.as_bytes());
        break;
      case Type::list:
        if (proto_ == 0) {
          put(op::MARK);
          put(op::LIST);
        } else {
          put(op::EMPTY_LIST);
        }
        save_batched(v.elements(), op::APPEND, op::APPENDS);
        break;
      case Type::tuple:
        save_tuple(v.elements());
        break;
      case Type::dict:
        save_dict(v.items());
        break;
      case Type::set:
      case Type::frozenset:
        save_set(v);
        break;
    }
  }

  void save_int(const PyValue& v) {
    if (proto_ >= 1 && v.fits_int64()) {
      const std::int64_t n = v.as_int();
      if (n >= 0 && n <= 0xff) {
        put(op::BININT1);
        little_endian(static_cast<std::uint8_t>(n));
        return;
      }
      if (n >= 0 && n <= 0xffff) {
        put(op::BININT2);
        little_endian(static_cast<std::uint16_t>(n));
        return;
      }
      if (n >= INT32_MIN && n <= INT32_MAX) {
        put(op::BININT);
        little_endian(static_cast<std::int32_t>(n));
        return;
      }
    }
    const std::string digits = v.int_str();
    if (proto_ >= 2) {
      const std::string bytes = python::decimal_to_twos_complement(digits);
      if (bytes.size() < 256) {
        put(op::LONG1);
        little_endian(static_cast<std::uint8_t>(bytes.size()));
      } else {
        put(op::LONG4);
        little_endian(static_cast<std::int32_t>(bytes.size()));
      }
      out_ += bytes;
    } else if (v.fits_int64() && v.as_int() >= INT32_MIN && v.as_int() <= INT32_MAX) {
      line(op::INT, digits);
    } else {
      line(op::LONG, digits + "L");
    }
  }

  void save_float(double d) {
    if (proto_ >= 1) {
      put(op::BINFLOAT);
      std::uint64_t bits = 0;
      std::memcpy(&bits, &d, sizeof bits);
      for (int k = 7; k >= 0; --k) out_ += static_cast<char>((bits >> (8 * k)) & 0xff);
    } else {
      line(op::FLOAT, python::float_repr(d));
    }
  }

  void save_str(std::string_view utf8) {
    if (proto_ == 0) {
      const auto escaped = python::encode_raw_unicode_escape(utf8);
      if (!escaped) throw ValueError("cannot pickle a str that is not UTF-8");
      line(op::UNICODE, *escaped);
      return;
    }
    if (!python::is_utf8(utf8)) throw ValueError("cannot pickle a str that is not UTF-8");
    const std::size_t n = utf8.size();
    if (n <= 0xff && proto_ >= 4) {
      put(op::SHORT_BINUNICODE);
      little_endian(static_cast<std::uint8_t>(n));
    } else if (n > 0xffffffffu && proto_ >= 4) {
      put(op::BINUNICODE8);
      little_endian(static_cast<std::uint64_t>(n));
    } else {
      put(op::BINUNICODE);
      little_endian(static_cast<std::uint32_t>(n));
    }
    out_ += utf8;
  }

  // Protocols 0-2 have no opcode for bytes: CPython writes them as calls of
  // bytes() (empty) or _codecs.encode(<latin-1 str>, 'latin1'), names from
  // Python 2's module layout.
  void save_bytes(const std::string& b) {
    if (proto_ >= 3) {
      const std::size_t n = b.size();
      if (n < 256) {
        put(op::SHORT_BINBYTES);
        little_endian(static_cast<std::uint8_t>(n));
      } else if (n > 0xffffffffu && proto_ >= 4) {
        put(op::BINBYTES8);
        little_endian(static_cast<std::uint64_t>(n));
      } else {
        put(op::BINBYTES);
        little_endian(static_cast<std::uint32_t>(n));
      }
      out_ += b;
      return;
    }
    if (b.empty()) {
      global("__builtin__", "bytes");
      save_tuple({});
    } else {
      global("_codecs", "encode");
      std::string latin1;
      for (char c : b) python::append_utf8(latin1, static_cast<std::uint8_t>(c));
      save_tuple({PyValue(std::move(latin1)), PyValue("latin1")});
    }
    put(op::REDUCE);
  }

  void global(std::string_view module, std::string_view name) {
    put(op::GLOBAL);
    out_ += module;
    out_ += '\n';
    out_ += name;
    out_ += '\n';
  }

  void save_tuple(const std::vector<PyValue>& items) {
    if (items.empty()) {
      if (proto_ >= 1) {
        put(op::EMPTY_TUPLE);
      } else {
        put(op::MARK);
        put(op::TUPLE);
      }
      return;
    }
    if (proto_ >= 2 && items.size() <= 3) {
      for (const auto& e : items) save(e);
      put(static_cast<std::uint8_t>(op::TUPLE1 + items.size() - 1));
      return;
    }
    put(op::MARK);
    for (const auto& e : items) save(e);
    put(op::TUPLE);
  }

  // Items after an empty container: one by one at protocol 0, else in
  // batches (CPython's C pickler: a container of one item with the
  // single-item opcode).
  void save_batched(const std::vector<PyValue>& items, std::uint8_t one, std::uint8_t many) {
    if (proto_ == 0) {
      for (const auto& e : items) {
        save(e);
        put(one);
      }
      return;
    }
    for (std::size_t i = 0; i < items.size(); i += batch_size) {
      const std::size_t end = std::min(items.size(), i + batch_size);
      if (items.size() == 1) {
        save(items[i]);
        put(one);
        continue;
      }
      put(op::MARK);
      for (std::size_t k = i; k < end; ++k) save(items[k]);
      put(many);
    }
  }

  void save_dict(const std::vector<PyValue::Item>& items) {
    for (const auto& [k, v] : items) {
      if (!k.is_hashable()) throw ValueError(fmt::format("cannot pickle a dict with a {} key", k.type_name()));
    }
    if (proto_ == 0) {
      put(op::MARK);
      put(op::DICT);
      for (const auto& [k, v] : items) {
        save(k);
        save(v);
        put(op::SETITEM);
      }
      return;
    }
    put(op::EMPTY_DICT);
    for (std::size_t i = 0; i < items.size(); i += batch_size) {
      const std::size_t end = std::min(items.size(), i + batch_size);
      if (items.size() == 1) {
        save(items[i].first);
        save(items[i].second);
        put(op::SETITEM);
        continue;
      }
      put(op::MARK);
      for (std::size_t k = i; k < end; ++k) {
        save(items[k].first);
        save(items[k].second);
      }
      put(op::SETITEMS);
    }
  }

  // Protocol 4 has opcodes for sets; before, CPython writes set(list) and
  // frozenset(list) as calls.
  void save_set(const PyValue& v) {
    const auto& items = v.elements();
    for (const auto& e : items) {
      if (!e.is_hashable()) throw ValueError(fmt::format("cannot pickle a set holding a {}", e.type_name()));
    }
    const bool frozen = v.is_frozenset();
    if (proto_ >= 4) {
      if (frozen) {
        put(op::MARK);
        for (const auto& e : items) save(e);
        put(op::FROZENSET);
        return;
      }
      put(op::EMPTY_SET);
      for (std::size_t i = 0; i < items.size(); i += batch_size) {
        const std::size_t end = std::min(items.size(), i + batch_size);
        put(op::MARK);
        for (std::size_t k = i; k < end; ++k) save(items[k]);
        put(op::ADDITEMS);
      }
      return;
    }
    global(proto_ >= 3 ? "builtins" : "__builtin__", frozen ? "frozenset" : "set");
    save_tuple({PyValue::list(items)});
    put(op::REDUCE);
  }

  int proto_;
  std::string out_;
};

}  // namespace

std::string pickle(const PyValue& v, int protocol) {
  if (protocol < 0 || protocol > 5) throw ValueError(fmt::format("pickle protocol {} is not 0 to 5", protocol));
  return Pickler(protocol).dump(v);
}

}  // namespace memcache
