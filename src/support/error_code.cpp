#include <memcache/error_code.hpp>

#include <string_view>

namespace memcache {
namespace {

const char* describe(int value) {
  switch (static_cast<errc>(value)) {
    case errc::no_server:
      return "no usable memcached server for the key";
    case errc::connection_failed:
      return "connection to memcached failed";
    case errc::timed_out:
      return "memcached did not answer within socket_timeout";
    case errc::protocol_error:
      return "memcached sent a reply that makes no sense";
    case errc::bad_key:
      return "invalid memcached key";
    case errc::bad_value:
      return "value cannot be decoded as the requested type";
    case errc::server_error:
      return "memcached answered with an error";
    case errc::tls_failed:
      return "TLS with memcached failed (certificate not trusted or not for this server, or no TLS)";
  }
  return "unknown memcache error";
}

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "memcache"; }
  std::string message(int value) const override {
    const std::string_view text = describe(value);
    return std::string(text.begin(), text.end());
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace memcache
