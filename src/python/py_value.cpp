#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

#include <memcache/python.hpp>

#include "python/big_int.hpp"
#include "python/float_repr.hpp"
#include "python/py_value_access.hpp"
#include "python/utf8.hpp"

namespace memcache {

namespace {

using Type = PyValue::Type;

[[noreturn]] void throw_unhashable(const PyValue& v) {
  throw ValueError(fmt::format("unhashable type: '{}' cannot be a dict key or a set element", v.type_name()));
}

int sign_of(int c) { return (c > 0) - (c < 0); }

// Compares canonical decimals (at least one outside int64, or both).
int compare_decimal(const std::string& a, const std::string& b) {
  const bool na = a.front() == '-';
  const bool nb = b.front() == '-';
  if (na != nb) return na ? -1 : 1;
  int c = a.size() != b.size() ? (a.size() < b.size() ? -1 : 1) : sign_of(a.compare(b));
  return na ? -c : c;
}

std::vector<const PyValue*> sorted_elements(const std::vector<PyValue>& v) {
  std::vector<const PyValue*> out;
  out.reserve(v.size());
  for (const auto& e : v) out.push_back(&e);
  std::sort(out.begin(), out.end(), [](const PyValue* a, const PyValue* b) { return compare(*a, *b) < 0; });
  return out;
}

std::vector<const PyValue::Item*> sorted_items(const std::vector<PyValue::Item>& v) {
  std::vector<const PyValue::Item*> out;
  out.reserve(v.size());
  for (const auto& e : v) out.push_back(&e);
  std::sort(out.begin(), out.end(),
            [](const PyValue::Item* a, const PyValue::Item* b) { return compare(a->first, b->first) < 0; });
  return out;
}

// Indices of the entries to keep when equal keys (by `key_of`) repeat: the
// first of each run, which takes the value of the last when `last_value`.
template <class T, class KeyOf>
std::vector<bool> duplicates(const std::vector<T>& v, KeyOf key_of) {
  std::vector<bool> dropped(v.size(), false);
  if (v.size() < 2) return dropped;
  // The common case, str keys all different, without sorting.
  if (std::all_of(v.begin(), v.end(), [&](const T& e) { return key_of(e).is_str(); })) {
    std::unordered_set<std::string_view> seen;
    seen.reserve(v.size());
    bool repeated = false;
    for (const T& e : v) repeated = !seen.insert(key_of(e).as_str()).second || repeated;
    if (!repeated) return dropped;
  }
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return compare(key_of(v[a]), key_of(v[b])) < 0; });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (compare(key_of(v[order[i - 1]]), key_of(v[order[i]])) == 0) dropped[order[i]] = true;
  }
  return dropped;
}

void append_str_repr(std::string& out, std::string_view s, bool bytes) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  if (bytes) out += 'b';
  out += quote;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::uint32_t cp = static_cast<std::uint8_t>(s[pos]);
    if (bytes || cp < 0x80 || !python::next_code_point(s, pos, cp)) {
      ++pos;
    }
    if (cp == static_cast<std::uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && (bytes || cp < 0xa0))) {
      out += fmt::format("\\x{:02x}", cp);
    } else if (cp >= 0xd800 && cp < 0xe000) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      python::append_utf8(out, cp);
    }
  }
  out += quote;
}

void append_repr(std::string& out, const PyValue& v) {
  auto join = [&](const std::vector<PyValue>& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out += ", ";
      append_repr(out, items[i]);
    }
  };
  switch (v.type()) {
    case Type::none:
      out += "None";
      break;
    case Type::boolean:
      out += v.as_bool() ? "True" : "False";
      break;
    case Type::integer:
      out += v.int_str();
      break;
    case Type::floating:
      out += python::float_repr(v.as_float());
      break;
    case Type::str:
      append_str_repr(out, v.as_str(), false);
      break;
    case Type::bytes:
      append_str_repr(out, v.as_bytes(), true);
      break;
    case Type::list:
      out += '[';
      join(v.elements());
      out += ']';
      break;
    case Type::tuple:
      out += '(';
      join(v.elements());
      if (v.elements().size() == 1) out += ',';
      out += ')';
      break;
    case Type::dict:
      out += '{';
      for (std::size_t i = 0; i < v.items().size(); ++i) {
        if (i) out += ", ";
        append_repr(out, v.items()[i].first);
        out += ": ";
        append_repr(out, v.items()[i].second);
      }
      out += '}';
      break;
    case Type::set:
    case Type::frozenset: {
      const bool frozen = v.is_frozenset();
      if (v.elements().empty()) {
        out += frozen ? "frozenset()" : "set()";
        break;
      }
      out += frozen ? "frozenset({" : "{";
      join(v.elements());
      out += frozen ? "})" : "}";
      break;
    }
  }
}

}  // namespace

void PyValueAccess::dedupe(PyValue& v) {
  if (v.type_ == Type::dict) {
    auto& items = v.items_;
    if (items.size() < 2) return;
    std::vector<bool> dropped = duplicates(items, [](const PyValue::Item& i) -> const PyValue& { return i.first; });
    if (std::find(dropped.begin(), dropped.end(), true) == dropped.end()) return;
    // The first place of a key takes the value of its last occurrence.
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return compare(items[a].first, items[b].first) < 0; });
    for (std::size_t i = 0; i < order.size();) {
      std::size_t j = i;
      while (j + 1 < order.size() && compare(items[order[i]].first, items[order[j + 1]].first) == 0) ++j;
      if (j != i) items[order[i]].second = std::move(items[order[j]].second);
      i = j + 1;
    }
    std::vector<PyValue::Item> kept;
    kept.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!dropped[i]) kept.push_back(std::move(items[i]));
    }
    items = std::move(kept);
  } else if (v.type_ == Type::set || v.type_ == Type::frozenset) {
    auto& elems = v.elements_;
    std::vector<bool> dropped = duplicates(elems, [](const PyValue& e) -> const PyValue& { return e; });
    if (std::find(dropped.begin(), dropped.end(), true) == dropped.end()) return;
    std::vector<PyValue> kept;
    for (std::size_t i = 0; i < elems.size(); ++i) {
      if (!dropped[i]) kept.push_back(std::move(elems[i]));
    }
    elems = std::move(kept);
  }
}

PyValue PyValue::integer(std::string_view decimal) {
  auto digits = python::canonical_decimal(decimal);
  if (!digits) throw ValueError(fmt::format("\"{}\" is not an integer", decimal.substr(0, 40)));
  PyValue v;
  v.type_ = Type::integer;
  const bool negative = digits->front() == '-';
  const std::size_t n = digits->size() - negative;
  if (n < 19 || (n == 19 && compare_decimal(*digits, negative ? "-9223372036854775808" : "9223372036854775807") !=
                                (negative ? -1 : 1))) {
    v.int_ = std::stoll(*digits);
  } else {
    v.big_ = true;
    v.text_ = std::move(*digits);
  }
  return v;
}

PyValue PyValue::str(std::string utf8) { return PyValue(std::move(utf8)); }

PyValue PyValue::bytes(std::string b) {
  PyValue v = PyValueAccess::make(Type::bytes);
  v.text_ = std::move(b);
  return v;
}

PyValue PyValue::list(std::vector<PyValue> items) {
  PyValue v = PyValueAccess::make(Type::list);
  v.elements_ = std::move(items);
  return v;
}

PyValue PyValue::tuple(std::vector<PyValue> items) {
  PyValue v = PyValueAccess::make(Type::tuple);
  v.elements_ = std::move(items);
  return v;
}

PyValue PyValue::dict(std::vector<Item> items) {
  for (const auto& item : items) {
    if (!item.first.is_hashable()) throw_unhashable(item.first);
  }
  PyValue v = PyValueAccess::make(Type::dict);
  v.items_ = std::move(items);
  PyValueAccess::dedupe(v);
  return v;
}

PyValue PyValue::set(std::vector<PyValue> items) {
  for (const auto& e : items) {
    if (!e.is_hashable()) throw_unhashable(e);
  }
  PyValue v = PyValueAccess::make(Type::set);
  v.elements_ = std::move(items);
  PyValueAccess::dedupe(v);
  return v;
}

PyValue PyValue::frozenset(std::vector<PyValue> items) {
  PyValue v = set(std::move(items));
  v.type_ = Type::frozenset;
  return v;
}

const char* PyValue::type_name() const {
  switch (type_) {
    case Type::none:
      return "NoneType";
    case Type::boolean:
      return "bool";
    case Type::integer:
      return "int";
    case Type::floating:
      return "float";
    case Type::str:
      return "str";
    case Type::bytes:
      return "bytes";
    case Type::list:
      return "list";
    case Type::tuple:
      return "tuple";
    case Type::dict:
      return "dict";
    case Type::set:
      return "set";
    case Type::frozenset:
      return "frozenset";
  }
  return "?";
}

bool PyValue::is_hashable() const {
  switch (type_) {
    case Type::list:
    case Type::dict:
    case Type::set:
      return false;
    case Type::tuple:
      return std::all_of(elements_.begin(), elements_.end(), [](const PyValue& e) { return e.is_hashable(); });
    default:
      return true;
  }
}

namespace detail {

void throw_py_type(const PyValue& v, const char* wanted) {
  throw ValueError(fmt::format("Python value of type {} is not {}", v.type_name(), wanted));
}

PyValue checked_str(std::string utf8) {
  if (!python::is_utf8(utf8)) throw ValueError("a string stored as Python str must be UTF-8");
  return PyValue(std::move(utf8));
}

}  // namespace detail

bool PyValue::as_bool() const {
  if (type_ != Type::boolean) detail::throw_py_type(*this, "a bool");
  return int_ != 0;
}

std::int64_t PyValue::as_int() const {
  if (type_ != Type::integer) detail::throw_py_type(*this, "an int");
  if (big_) throw ValueError(fmt::format("int {} does not fit in 64 bits (read it with int_str())", text_));
  return int_;
}

std::string PyValue::int_str() const {
  if (type_ != Type::integer) detail::throw_py_type(*this, "an int");
  return big_ ? text_ : std::to_string(int_);
}

double PyValue::as_float() const {
  if (type_ != Type::floating) detail::throw_py_type(*this, "a float");
  return float_;
}

const std::string& PyValue::as_str() const {
  if (type_ != Type::str) detail::throw_py_type(*this, "a str");
  return text_;
}

const std::string& PyValue::as_bytes() const {
  if (type_ != Type::bytes) detail::throw_py_type(*this, "bytes");
  return text_;
}

const std::vector<PyValue>& PyValue::elements() const {
  if (type_ != Type::list && type_ != Type::tuple && type_ != Type::set && type_ != Type::frozenset) {
    detail::throw_py_type(*this, "a list, tuple, set or frozenset");
  }
  return elements_;
}

std::vector<PyValue>& PyValue::elements() {
  if (type_ != Type::list && type_ != Type::tuple) detail::throw_py_type(*this, "a list or tuple");
  return elements_;
}

const std::vector<PyValue::Item>& PyValue::items() const {
  if (type_ != Type::dict) detail::throw_py_type(*this, "a dict");
  return items_;
}

std::size_t PyValue::size() const {
  switch (type_) {
    case Type::str:
    case Type::bytes:
      return text_.size();
    case Type::list:
    case Type::tuple:
    case Type::set:
    case Type::frozenset:
      return elements_.size();
    case Type::dict:
      return items_.size();
    default:
      throw ValueError(fmt::format("object of type '{}' has no len()", type_name()));
  }
}

const PyValue& PyValue::at(std::size_t i) const {
  if (type_ != Type::list && type_ != Type::tuple) detail::throw_py_type(*this, "a list or tuple");
  if (i >= elements_.size()) {
    throw std::out_of_range(fmt::format("{} index {} out of range (size {})", type_name(), i, elements_.size()));
  }
  return elements_[i];
}

const PyValue* PyValue::find(const PyValue& key) const {
  if (type_ != Type::dict) detail::throw_py_type(*this, "a dict");
  for (const auto& item : items_) {
    if (item.first.type_ == key.type_ && compare(item.first, key) == 0) return &item.second;
  }
  return nullptr;
}

const PyValue& PyValue::at(const PyValue& key) const {
  if (const PyValue* v = find(key)) return *v;
  throw std::out_of_range("no key " + key.repr() + " in dict");
}

void PyValue::append(PyValue v) {
  if (type_ != Type::list) detail::throw_py_type(*this, "a list");
  elements_.push_back(std::move(v));
}

void PyValue::set_item(PyValue key, PyValue value) {
  if (type_ != Type::dict) detail::throw_py_type(*this, "a dict");
  if (!key.is_hashable()) throw_unhashable(key);
  for (auto& item : items_) {
    if (compare(item.first, key) == 0) {
      item.second = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(key), std::move(value));
}

void PyValue::add(PyValue v) {
  if (type_ != Type::set) detail::throw_py_type(*this, "a set");
  if (!v.is_hashable()) throw_unhashable(v);
  for (const auto& e : elements_) {
    if (compare(e, v) == 0) return;
  }
  elements_.push_back(std::move(v));
}

std::string PyValue::repr() const {
  std::string out;
  append_repr(out, *this);
  return out;
}

int compare(const PyValue& a, const PyValue& b) {
  if (a.type_ != b.type_) return a.type_ < b.type_ ? -1 : 1;
  switch (a.type_) {
    case Type::none:
      return 0;
    case Type::boolean:
      return sign_of(static_cast<int>(a.int_) - static_cast<int>(b.int_));
    case Type::integer:
      if (!a.big_ && !b.big_) return a.int_ < b.int_ ? -1 : (a.int_ > b.int_ ? 1 : 0);
      return compare_decimal(a.int_str(), b.int_str());
    case Type::floating: {
      // Bit for bit: a total order in which NaN equals itself and -0.0 is not 0.0.
      std::uint64_t x = 0;
      std::uint64_t y = 0;
      std::memcpy(&x, &a.float_, sizeof x);
      std::memcpy(&y, &b.float_, sizeof y);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case Type::str:
    case Type::bytes:
      return sign_of(a.text_.compare(b.text_));
    case Type::list:
    case Type::tuple: {
      const std::size_t n = std::min(a.elements_.size(), b.elements_.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (int c = compare(a.elements_[i], b.elements_[i])) return c;
      }
      return a.elements_.size() < b.elements_.size() ? -1 : (a.elements_.size() > b.elements_.size() ? 1 : 0);
    }
    case Type::set:
    case Type::frozenset: {
      if (a.elements_.size() != b.elements_.size()) return a.elements_.size() < b.elements_.size() ? -1 : 1;
      const auto x = sorted_elements(a.elements_);
      const auto y = sorted_elements(b.elements_);
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (int c = compare(*x[i], *y[i])) return c;
      }
      return 0;
    }
    case Type::dict: {
      if (a.items_.size() != b.items_.size()) return a.items_.size() < b.items_.size() ? -1 : 1;
      const auto x = sorted_items(a.items_);
      const auto y = sorted_items(b.items_);
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (int c = compare(x[i]->first, y[i]->first)) return c;
        if (int c = compare(x[i]->second, y[i]->second)) return c;
      }
      return 0;
    }
  }
  return 0;
}

bool operator==(const PyValue& a, const PyValue& b) { return compare(a, b) == 0; }

}  // namespace memcache
