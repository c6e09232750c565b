#include "protocol/meta_operations.hpp"

#include <charconv>

#include <fmt/format.h>

#include "support/escape.hpp"

namespace memcache::detail::protocol {
namespace {

// The token of a meta reply, or throws.
std::uint32_t token_of(const Reply& reply) {
  std::uint32_t token = 0;
  const std::string_view s = reply.opaque;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), token);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    throw ProtocolError(s.empty() ? std::string("memcached sent a meta reply without the request's opaque token")
                                  : fmt::format("memcached sent a meta reply with opaque token \"{}\", which no "
                                                "request was sent with",
                                                escape(s, 40)));
  }
  return token;
}

[[noreturn]] void out_of_step(std::uint32_t got, std::uint32_t expected) {
  throw ProtocolError(
      fmt::format("memcached answered the request with opaque token {} where {} was due: the connection is out of step",
                  got, expected));
}

const char* code_of(ReplyType t) {
  switch (t) {
    case ReplyType::meta_value:
      return "VA";
    case ReplyType::meta_hit:
      return "HD";
    case ReplyType::meta_miss:
      return "EN";
    case ReplyType::meta_not_found:
      return "NF";
    case ReplyType::meta_not_stored:
      return "NS";
    case ReplyType::meta_exists:
      return "EX";
    case ReplyType::meta_noop:
      return "MN";
    case ReplyType::oversized_value:
      return "a value too long to read";
    default:
      return "a text protocol reply";
  }
}

// A meta reply, or a meta VA too long to read (an oversized_value that
// carries its token).
bool is_meta_reply(const Reply& reply) {
  return is_meta(reply.type) || (reply.type == ReplyType::oversized_value && !reply.opaque.empty());
}

bool is_error_line(ReplyType t) {
  return t == ReplyType::error || t == ReplyType::client_error || t == ReplyType::server_error;
}

[[noreturn]] void unexpected(const Reply& reply) {
  throw ProtocolError(
      fmt::format("memcached answered {} to a meta request that cannot receive it", code_of(reply.type)));
}

}  // namespace

void check_opaque(const Reply& reply, std::uint32_t token) {
  const std::uint32_t got = token_of(reply);
  if (got != token) out_of_step(got, token);
}

MetaCheck::MetaCheck(Operation& inner, ReplyType hit, std::uint32_t first_token, std::size_t count, bool quiet)
    : inner_(&inner), hit_(hit), first_(first_token), count_(count), quiet_(quiet) {}

std::size_t MetaCheck::place_of(const Reply& reply, std::size_t from) const {
  const std::uint32_t got = token_of(reply);
  const std::size_t place = static_cast<std::uint32_t>(got - first_);  // tokens wrap
  if (place < from || place >= count_) out_of_step(got, static_cast<std::uint32_t>(first_ + from));
  return place;
}

void MetaCheck::forward(const Reply& reply) {
  Reply text = reply;
  switch (reply.type) {
    case ReplyType::meta_hit:
      if (hit_ == ReplyType::value || hit_ == ReplyType::number) {
        if (quiet_) return;  // a quiet mg without v: nothing to hand on
        unexpected(reply);
      }
      text.type = hit_;
      break;
    case ReplyType::meta_value:
      if (hit_ == ReplyType::value) {
        text.type = ReplyType::value;
      } else if (hit_ == ReplyType::number) {
        auto [end, ec] = std::from_chars(reply.data.data(), reply.data.data() + reply.data.size(), text.number);
        if (reply.data.empty() || ec != std::errc() || end != reply.data.data() + reply.data.size()) {
          throw ProtocolError(fmt::format("memcached sent \"{}\" as a number", escape(reply.data, 40)));
        }
        text.type = ReplyType::number;
      } else {
        unexpected(reply);
      }
      break;
    case ReplyType::oversized_value:  // the get's operation fails its key
      if (hit_ != ReplyType::value) unexpected(reply);
      break;
    case ReplyType::meta_miss:
      if (hit_ == ReplyType::value) return;  // a miss: no VALUE
      text.type = ReplyType::not_found;
      break;
    case ReplyType::meta_not_found:
      text.type = ReplyType::not_found;
      break;
    case ReplyType::meta_not_stored:
      text.type = ReplyType::not_stored;
      break;
    case ReplyType::meta_exists:
      text.type = ReplyType::exists;
      break;
    default:
      unexpected(reply);
  }
  inner_->on_reply(text);
}

bool MetaCheck::on_reply(const Reply& reply) {
  if (quiet_) {
    if (reply.type == ReplyType::meta_noop) {
      Reply end;
      end.type = ReplyType::end;
      return inner_->on_reply(end);
    }
    if (!is_meta_reply(reply)) {
      if (!is_error_line(reply.type)) unexpected(reply);
      return inner_->on_reply(reply);  // the inner operation decides
    }
    next_ = place_of(reply, next_) + 1;
    forward(reply);
    return false;
  }
  if (is_meta_reply(reply)) {
    if (reply.type == ReplyType::meta_noop) unexpected(reply);
    check_opaque(reply, static_cast<std::uint32_t>(first_ + next_));
    forward(reply);
  } else if (is_error_line(reply.type)) {
    inner_->on_reply(reply);  // an error line answers the request due
  } else {
    unexpected(reply);  // a text reply (END, STORED, VALUE...) answers no meta request
  }
  if (++next_ < count_) return false;
  if (hit_ == ReplyType::value) {
    Reply end;
    end.type = ReplyType::end;
    inner_->on_reply(end);
  }
  return true;
}

bool MetaReplyOperation::on_reply(const Reply& reply) {
  if (is_meta_reply(reply)) {
    if (reply.type == ReplyType::meta_noop) unexpected(reply);
    check_opaque(reply, token_);
    flags_ = read_meta_flags(reply.meta_flags);
  } else if (!is_error_line(reply.type)) {
    unexpected(reply);
  }
  answered_ = true;
  type_ = reply.type;
  data_.assign(reply.data.data(), reply.data.size());
  return true;
}

}  // namespace memcache::detail::protocol
