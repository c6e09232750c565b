#ifndef MEMCACHE_ERROR_HPP
#define MEMCACHE_ERROR_HPP

#include <stdexcept>

#include <memcache/export.hpp>

namespace memcache {

/// Base of every exception the library throws. Misses and refusals are never
/// exceptions: they come back as `std::nullopt` or `false`, as in python-memcached.
class MEMCACHE_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A key that memcached would reject (python-memcached's MemcachedKeyError).
class MEMCACHE_API KeyError : public Error {
 public:
  using Error::Error;
};

/// The key is empty (MemcachedKeyNoneError).
class MEMCACHE_API KeyNoneError : public KeyError {
 public:
  using KeyError::KeyError;
};

/// The key, prefix included, is longer than `server_max_key_length`
/// (MemcachedKeyLengthError).
class MEMCACHE_API KeyLengthError : public KeyError {
 public:
  using KeyError::KeyError;
};

/// The key holds a space, a control character (0x00-0x20) or DEL (0x7f)
/// (MemcachedKeyCharacterError).
class MEMCACHE_API KeyCharacterError : public KeyError {
 public:
  using KeyError::KeyError;
};

/// A server string that cannot be parsed, e.g. `"host:port:extra"` or `"unix:"`.
class MEMCACHE_API ServerSpecError : public Error {
 public:
  using Error::Error;
};

/// A value that cannot be turned into the requested type: unknown flags, bad
/// zlib data, or `incr` on a value that is not a number (python-memcached's
/// ValueError). Thrown after the whole reply was read, so the connection is
/// still usable.
class MEMCACHE_API ValueError : public Error {
 public:
  using Error::Error;
};

}  // namespace memcache

#endif  // MEMCACHE_ERROR_HPP
