#include "sync/run_command.hpp"

#include <memcache/error_code.hpp>

namespace memcache::detail {

std::error_code exchange_error(const Exchange& x) {
  switch (x.outcome) {
    case Exchange::Outcome::timed_out:
      return make_error_code(errc::timed_out);
    case Exchange::Outcome::protocol_failed:
      return make_error_code(errc::protocol_error);
    default:
      return make_error_code(errc::connection_failed);
  }
}

std::error_code Call::Slot::error() const {
  if (exchange) return exchange_error(*exchange);
  return make_error_code(busy ? errc::timed_out : errc::connection_failed);
}

}  // namespace memcache::detail
