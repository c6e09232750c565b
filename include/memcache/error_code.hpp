#ifndef MEMCACHE_ERROR_CODE_HPP
#define MEMCACHE_ERROR_CODE_HPP

#include <string>
#include <system_error>
#include <type_traits>

#include <memcache/export.hpp>

namespace memcache {

/// Why an async operation failed, as a `std::error_code` in the memcache
/// category. Misses and refusals are not errors (nullopt / false), as in the
/// sync API; cancellation is Asio's `operation_aborted`.
enum class errc {
  no_server = 1,      ///< no usable server for the key (all tried were dead or unreachable)
  connection_failed,  ///< could not connect, or the connection broke mid-request
  timed_out,          ///< no reply within socket_timeout
  protocol_error,     ///< the server's reply made no sense; the connection was replaced
  bad_key,            ///< the key would be rejected (see memcache::KeyError)
  bad_value,          ///< the value cannot be decoded as the requested type, or incr of a non-number
  server_error,       ///< the server answered ERROR / CLIENT_ERROR / SERVER_ERROR
  tls_failed,         ///< the TLS handshake or session failed (untrusted or misnamed certificate, no TLS)
};

/// The category of memcache::errc.
MEMCACHE_API const std::error_category& error_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace memcache

template <>
struct std::is_error_code_enum<memcache::errc> : std::true_type {};

#endif  // MEMCACHE_ERROR_CODE_HPP
