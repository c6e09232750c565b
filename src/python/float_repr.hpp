#ifndef MEMCACHE_SRC_PYTHON_FLOAT_REPR_HPP
#define MEMCACHE_SRC_PYTHON_FLOAT_REPR_HPP

#include <string>

namespace memcache::python {

/// Python's repr() of a float: the shortest text that reads back to the same
/// bits, "1.0", "0.1", "1e+16", "1e-05", "inf", "nan".
std::string float_repr(double d);

}  // namespace memcache::python

#endif  // MEMCACHE_SRC_PYTHON_FLOAT_REPR_HPP
