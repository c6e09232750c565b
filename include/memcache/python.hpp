#ifndef MEMCACHE_PYTHON_HPP
#define MEMCACHE_PYTHON_HPP

// Python values: what python-memcached, pymemcache, Flask and Django store
// (str, bytes, int, and pickles of everything else), read and written as
// `memcache::PyValue`.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <memcache/codec.hpp>
#include <memcache/error.hpp>
#include <memcache/export.hpp>
#include <memcache/value.hpp>

namespace memcache {

/// A plain-data Python object: None, bool, int (any size), float, str, bytes,
/// list, tuple, dict (insertion order kept), set, frozenset, nested.
///
///     auto user = memcache::PyValue::dict({{"name", "alice"}, {"age", 31}, {"tags", PyValue::list({"a", "b"})}});
///     mc.set("user:1", user);                    // Python: mc.get("user:1") == {'name': 'alice', ...}
///     auto v = mc.get<memcache::PyValue>("user:1");
///     std::string name = (*v)["name"].as_str();
///
/// Strings given to the constructors become Python `str` (UTF-8); Python
/// `bytes` are made with `PyValue::bytes`. Equality compares types exactly
/// (1 and True and 1.0 differ), floats bit for bit, dicts and sets without
/// regard to order, as Python's == does for them.
class MEMCACHE_API PyValue {
 public:
  enum class Type { none, boolean, integer, floating, str, bytes, list, tuple, dict, set, frozenset };
  /// One dict entry: key, value.
  using Item = std::pair<PyValue, PyValue>;

  /// None.
  PyValue() noexcept {}
  PyValue(std::nullptr_t) noexcept {}
  PyValue(bool b) noexcept : type_(Type::boolean), int_(b ? 1 : 0) {}
  /// int
  template <class Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>, int> = 0>
  PyValue(Int n) : type_(Type::integer) {
    if constexpr (std::is_unsigned_v<Int> && sizeof(Int) >= sizeof(std::int64_t)) {
      if (n > static_cast<std::uint64_t>(INT64_MAX)) {
        *this = integer(std::to_string(n));
        return;
      }
    }
    int_ = static_cast<std::int64_t>(n);
  }
  /// float
  PyValue(double d) noexcept : type_(Type::floating), float_(d) {}
  PyValue(float f) noexcept : PyValue(static_cast<double>(f)) {}
  /// str (UTF-8)
  PyValue(const char* utf8) : type_(Type::str), text_(utf8) {}
  PyValue(std::string_view utf8) : type_(Type::str), text_(utf8) {}
  PyValue(std::string utf8) noexcept : type_(Type::str), text_(std::move(utf8)) {}
  PyValue(const Text& t) : type_(Type::str), text_(t.str()) {}

  static PyValue none() { return {}; }
  /// An int of any size from its decimal digits (optional sign), e.g.
  /// `PyValue::integer("1180591620717411303424")` for 2**70. Throws
  /// `ValueError` when `decimal` is not an integer.
  static PyValue integer(std::string_view decimal);
  static PyValue str(std::string utf8);
  static PyValue bytes(std::string b);
  static PyValue list(std::vector<PyValue> items = {});
  static PyValue list(std::initializer_list<PyValue> items) { return list(std::vector<PyValue>(items)); }
  static PyValue tuple(std::vector<PyValue> items = {});
  static PyValue tuple(std::initializer_list<PyValue> items) { return tuple(std::vector<PyValue>(items)); }
  /// A dict; a key given twice keeps its first place and its last value, as in Python.
  static PyValue dict(std::vector<Item> items = {});
  static PyValue dict(std::initializer_list<Item> items) { return dict(std::vector<Item>(items)); }
  /// A set; equal elements are kept once.
  static PyValue set(std::vector<PyValue> items = {});
  static PyValue set(std::initializer_list<PyValue> items) { return set(std::vector<PyValue>(items)); }
  static PyValue frozenset(std::vector<PyValue> items = {});
  static PyValue frozenset(std::initializer_list<PyValue> items) { return frozenset(std::vector<PyValue>(items)); }

  Type type() const { return type_; }
  /// Python's name of the type: "NoneType", "bool", "int", "float", "str", "bytes", "list", ...
  const char* type_name() const;
  bool is_none() const { return type_ == Type::none; }
  bool is_bool() const { return type_ == Type::boolean; }
  bool is_int() const { return type_ == Type::integer; }
  bool is_float() const { return type_ == Type::floating; }
  bool is_str() const { return type_ == Type::str; }
  bool is_bytes() const { return type_ == Type::bytes; }
  bool is_list() const { return type_ == Type::list; }
  bool is_tuple() const { return type_ == Type::tuple; }
  bool is_dict() const { return type_ == Type::dict; }
  bool is_set() const { return type_ == Type::set; }
  bool is_frozenset() const { return type_ == Type::frozenset; }
  /// An int that fits in std::int64_t.
  bool fits_int64() const { return type_ == Type::integer && !big_; }
  /// Can be a dict key or a set element (None, bool, int, float, str, bytes,
  /// frozenset, and tuples of those).
  bool is_hashable() const;

  /// The value, or `ValueError` naming the actual type.
  bool as_bool() const;
  /// An int (ValueError when it does not fit in std::int64_t: see `int_str`).
  std::int64_t as_int() const;
  /// An int's decimal digits, any size: "-12", "1180591620717411303424".
  std::string int_str() const;
  double as_float() const;
  /// A str's UTF-8.
  const std::string& as_str() const;
  const std::string& as_bytes() const;

  /// Elements of a list, tuple, set or frozenset.
  const std::vector<PyValue>& elements() const;
  std::vector<PyValue>& elements();
  /// Entries of a dict, in insertion order.
  const std::vector<Item>& items() const;
  /// Elements of a list, tuple, set or frozenset, entries of a dict, bytes of
  /// str or bytes (Python's len, except str counts UTF-8 bytes).
  std::size_t size() const;
  /// Element `i` of a list or tuple; `std::out_of_range` past the end.
  const PyValue& at(std::size_t i) const;
  /// The value of a dict's key; `std::out_of_range` when absent.
  const PyValue& at(const PyValue& key) const;
  const PyValue& operator[](const PyValue& key) const { return at(key); }
  const PyValue& operator[](const char* key) const { return at(PyValue(key)); }
  const PyValue& operator[](std::size_t i) const { return at(i); }
  const PyValue& operator[](int i) const { return at(static_cast<std::size_t>(i)); }
  /// The value of a dict's key, or nullptr.
  const PyValue* find(const PyValue& key) const;
  bool contains(const PyValue& key) const { return find(key) != nullptr; }

  /// Appends to a list.
  void append(PyValue v);
  /// Sets a dict's key (replacing its value when present).
  void set_item(PyValue key, PyValue value);
  /// Adds to a set (once).
  void add(PyValue v);

  /// JSON text, for values made of None, bool, int, float (finite), str,
  /// list, tuple (as arrays) and dicts with str keys; `ValueError` for
  /// anything else (bytes, sets, other keys, NaN).
  std::string to_json() const;
  /// Python's repr(), e.g. `{'a': [1, 2.5, b'x', None]}`.
  std::string repr() const;

  /// Total order used to compare sets and dicts: by type, then value.
  friend MEMCACHE_API int compare(const PyValue& a, const PyValue& b);
  friend MEMCACHE_API bool operator==(const PyValue& a, const PyValue& b);
  friend bool operator!=(const PyValue& a, const PyValue& b) { return !(a == b); }

 private:
  friend class PyValueAccess;

  Type type_ = Type::none;
  bool big_ = false;  // an int held as decimal digits in text_
  std::int64_t int_ = 0;
  double float_ = 0;
  std::string text_;               // str (UTF-8), bytes, or a big int's digits
  std::vector<PyValue> elements_;  // list, tuple, set, frozenset
  std::vector<Item> items_;        // dict
};

/// Limits on what `unpickle` accepts; past any of them it throws `ValueError`
/// instead of allocating.
struct UnpickleLimits {
  /// Deepest nesting of containers.
  std::size_t max_depth = 1000;
  /// Most values in the result, counting each shared (memoized) object once
  /// per place it appears.
  std::size_t max_elements = std::size_t(1) << 22;
  /// Most bytes of str, bytes and int digits in the result, counted the same way.
  std::size_t max_bytes = std::size_t(256) << 20;
};

/// Reads a pickle of any protocol (0-5) holding plain data. Nothing is
/// imported or executed: opcodes that would (GLOBAL, REDUCE, BUILD, INST, OBJ,
/// NEWOBJ, EXT1/2/4, PERSID, ...) are refused with a `ValueError` naming
/// them, except the few that CPython itself uses for plain data: set,
/// frozenset, bytearray and bytes as protocols 0-3 write them, and
/// collections.OrderedDict (read as a dict).
MEMCACHE_API PyValue unpickle(std::string_view pickle, const UnpickleLimits& limits = {});

/// A pickle of `v` at `protocol` (0-5) that Python's pickle.loads reads as an
/// equal object of the same types. Throws `ValueError` for a protocol out of
/// range, a str that is not UTF-8, or an unhashable dict key or set element.
MEMCACHE_API std::string pickle(const PyValue& v, int protocol = 0);

/// A PyValue stored with a chosen pickle protocol (python-memcached's
/// `pickleProtocol`, pymemcache's `pickle_version`):
///
///     mc.set("k", memcache::Pickled{value, 5});
struct Pickled {
  PyValue value;
  int protocol = 0;
};

namespace detail {

/// Stored as python-memcached stores `v`: str flag 16, bytes 0, int 2
/// (decimal), anything else pickled at `protocol`, flag 1.
MEMCACHE_API Value encode_python(const PyValue& v, int protocol);
/// Reads what python-memcached stores (flags 0, 16, 2, 4, 1; decompressed).
MEMCACHE_API PyValue decode_python(const Value& v);

/// How a C++ type maps to a Python value inside containers.
template <class T, class Enable = void>
struct PyConvert;

template <class T>
PyValue to_py(const T& v) {
  return PyConvert<T>::to_py(v);
}
template <class T>
T from_py(const PyValue& v) {
  return PyConvert<T>::from_py(v);
}

[[noreturn]] MEMCACHE_API void throw_py_type(const PyValue& v, const char* wanted);
MEMCACHE_API PyValue checked_str(std::string utf8);

template <>
struct PyConvert<PyValue> {
  static PyValue to_py(const PyValue& v) { return v; }
  static PyValue from_py(const PyValue& v) { return v; }
};

template <>
struct PyConvert<bool> {
  static PyValue to_py(bool b) { return PyValue(b); }
  static bool from_py(const PyValue& v) {
    if (v.is_bool()) return v.as_bool();
    if (v.is_int()) return v.int_str() != "0";
    throw_py_type(v, "bool");
  }
};

template <class Int>
struct PyConvert<Int, std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>> {
  static PyValue to_py(Int n) { return PyValue(n); }
  static Int from_py(const PyValue& v) {
    if (v.is_bool()) return static_cast<Int>(v.as_bool() ? 1 : 0);
    if (!v.is_int()) throw_py_type(v, "an integer");
    return parse_integer<Int>(v.int_str(), "an integer in range");
  }
};

template <class Float>
struct PyConvert<Float, std::enable_if_t<std::is_floating_point_v<Float>>> {
  static PyValue to_py(Float f) { return PyValue(static_cast<double>(f)); }
  static Float from_py(const PyValue& v) {
    if (v.is_float()) return static_cast<Float>(v.as_float());
    if (v.fits_int64()) return static_cast<Float>(v.as_int());
    throw_py_type(v, "a float");
  }
};

/// std::string inside containers is Python `str` (UTF-8); reads str or bytes.
template <>
struct PyConvert<std::string> {
  static PyValue to_py(const std::string& s) { return checked_str(s); }
  static std::string from_py(const PyValue& v) {
    if (v.is_str()) return v.as_str();
    if (v.is_bytes()) return v.as_bytes();
    throw_py_type(v, "str or bytes");
  }
};

template <>
struct PyConvert<Text> {
  static PyValue to_py(const Text& s) { return checked_str(s.str()); }
  static Text from_py(const PyValue& v) { return Text(PyConvert<std::string>::from_py(v)); }
};

template <class T, class A>
struct PyConvert<std::vector<T, A>> {
  static PyValue to_py(const std::vector<T, A>& v) {
    std::vector<PyValue> out;
    out.reserve(v.size());
    for (const auto& e : v) out.push_back(detail::to_py<T>(e));
    return PyValue::list(std::move(out));
  }
  static std::vector<T, A> from_py(const PyValue& v) {
    if (!v.is_list() && !v.is_tuple() && !v.is_set() && !v.is_frozenset()) throw_py_type(v, "a list");
    std::vector<T, A> out;
    out.reserve(v.elements().size());
    for (const auto& e : v.elements()) out.push_back(detail::from_py<T>(e));
    return out;
  }
};

/// Maps with string keys are dicts with str keys.
template <class Map>
struct PyDictConvert {
  using Mapped = typename Map::mapped_type;
  static PyValue to_py(const Map& m) {
    std::vector<PyValue::Item> items;
    items.reserve(m.size());
    for (const auto& [k, v] : m) items.emplace_back(checked_str(k), detail::to_py<Mapped>(v));
    return PyValue::dict(std::move(items));
  }
  static Map from_py(const PyValue& v) {
    if (!v.is_dict()) throw_py_type(v, "a dict");
    Map out;
    for (const auto& [k, e] : v.items()) {
      out.insert_or_assign(PyConvert<std::string>::from_py(k), detail::from_py<Mapped>(e));
    }
    return out;
  }
};
template <class T, class C, class A>
struct PyConvert<std::map<std::string, T, C, A>> : PyDictConvert<std::map<std::string, T, C, A>> {};
template <class T, class H, class E, class A>
struct PyConvert<std::unordered_map<std::string, T, H, E, A>>
    : PyDictConvert<std::unordered_map<std::string, T, H, E, A>> {};

/// A C++ type stored as the Python object it maps to (always a pickle, as
/// python-memcached stores a list, dict, float or bool).
template <class T>
struct PythonCodec {
  static Value encode(const T& v) { return encode_python(to_py<T>(v), 0); }
  static T decode(const Value& v) { return from_py<T>(decode_python(v)); }
};

}  // namespace detail

/// Everything python-memcached stores, read as Python has it; written as
/// python-memcached writes the same object (pickle protocol 0).
template <>
struct codec<PyValue> {
  static Value encode(const PyValue& v) { return detail::encode_python(v, 0); }
  static PyValue decode(const Value& v) { return detail::decode_python(v); }
};

template <>
struct codec<Pickled> {
  static Value encode(const Pickled& p) { return detail::encode_python(p.value, p.protocol); }
  static Pickled decode(const Value& v) { return Pickled{detail::decode_python(v), 0}; }
};

/// Python float (a pickle); reads floats and ints.
template <>
struct codec<double> : detail::PythonCodec<double> {};
template <>
struct codec<float> : detail::PythonCodec<float> {};
/// Python list (a pickle); reads lists, tuples, sets.
template <class T, class A>
struct codec<std::vector<T, A>> : detail::PythonCodec<std::vector<T, A>> {};
/// Python dict with str keys (a pickle).
template <class T, class C, class A>
struct codec<std::map<std::string, T, C, A>> : detail::PythonCodec<std::map<std::string, T, C, A>> {};
template <class T, class H, class E, class A>
struct codec<std::unordered_map<std::string, T, H, E, A>>
    : detail::PythonCodec<std::unordered_map<std::string, T, H, E, A>> {};

}  // namespace memcache

#endif  // MEMCACHE_PYTHON_HPP
