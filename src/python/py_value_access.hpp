#ifndef MEMCACHE_SRC_PYTHON_PY_VALUE_ACCESS_HPP
#define MEMCACHE_SRC_PYTHON_PY_VALUE_ACCESS_HPP

// How the library's own code (the unpickler) builds PyValues without the
// public builders' checks, which it makes once for the whole value instead.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <memcache/python.hpp>

namespace memcache {

class PyValueAccess {
 public:
  static PyValue make(PyValue::Type t) {
    PyValue v;
    v.type_ = t;
    return v;
  }
  static std::string& text(PyValue& v) { return v.text_; }
  static std::vector<PyValue>& elements(PyValue& v) { return v.elements_; }
  static std::vector<PyValue::Item>& items(PyValue& v) { return v.items_; }
  /// Drops repeated dict keys (first place, last value) and set elements.
  static void dedupe(PyValue& v);
};

}  // namespace memcache

#endif  // MEMCACHE_SRC_PYTHON_PY_VALUE_ACCESS_HPP
