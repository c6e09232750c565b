#include "commands/reconnect_flush.hpp"

#include <fmt/format.h>

#include "protocol/requests.hpp"

namespace memcache::detail {

void ReconnectFlush::encode(std::string& out) const { protocol::encode_line(out, "flush_all"); }

bool ReconnectFlush::ok() const { return op_.answered() && op_.type() == protocol::ReplyType::ok; }

std::string ReconnectFlush::failure(std::string_view transport_error) const {
  return fmt::format("flush_all on reconnect failed: {}", transport_error.empty() ? op_.text() : transport_error);
}

}  // namespace memcache::detail
