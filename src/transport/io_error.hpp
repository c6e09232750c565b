#ifndef MEMCACHE_SRC_NET_IO_ERROR_HPP
#define MEMCACHE_SRC_NET_IO_ERROR_HPP

#include <stdexcept>

namespace memcache::detail {

/// A server that cannot be reached or went silent: the call fails and the
/// server is marked dead. Never leaves the library.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_NET_IO_ERROR_HPP
