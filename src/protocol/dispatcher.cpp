#include "protocol/dispatcher.hpp"

#include <fmt/format.h>

namespace memcache::detail::protocol {

std::size_t Dispatcher::consume(std::string_view input) {
  std::size_t total = 0;
  needed_ = 0;
  Reply reply;
  while (total < input.size()) {
    if (pending_.empty()) {
      throw ProtocolError(fmt::format("memcached sent {} bytes nobody asked for", input.size() - total));
    }
    ParseResult r = parse_reply(input.substr(total), reply, max_value_);
    if (r.consumed == 0) {
      needed_ = r.needed;
      break;
    }
    total += r.consumed;
    if (reply.type == ReplyType::error || reply.type == ReplyType::client_error) in_step_ = false;
    if (pending_.front()->on_reply(reply)) pending_.pop_front();
  }
  return total;
}

}  // namespace memcache::detail::protocol
