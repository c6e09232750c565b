#ifndef MEMCACHE_TESTS_WEB_CACHE_HTTP_CLIENT_HPP
#define MEMCACHE_TESTS_WEB_CACHE_HTTP_CLIENT_HPP

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace memcache::test {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::milliseconds elapsed{0};  // connect to last byte
};

/// Sends `raw` bytes to 127.0.0.1:`port` and reads the reply until the
/// server closes the connection (web_cache always does).
HttpReply send_http(std::uint16_t port, const std::string& raw);

/// `GET <path> HTTP/1.1` with a Host header.
HttpReply http_get(std::uint16_t port, const std::string& path);

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_WEB_CACHE_HTTP_CLIENT_HPP
