#include "protocol/operations.hpp"

#include <fmt/format.h>

namespace memcache::detail::protocol {
namespace {

constexpr std::uint32_t bit(ReplyType t) { return 1u << static_cast<unsigned>(t); }

const char* name(ReplyType t) {
  switch (t) {
    case ReplyType::value:
    case ReplyType::oversized_value:
      return "VALUE";
    case ReplyType::end:
      return "END";
    case ReplyType::stored:
      return "STORED";
    case ReplyType::not_stored:
      return "NOT_STORED";
    case ReplyType::exists:
      return "EXISTS";
    case ReplyType::not_found:
      return "NOT_FOUND";
    case ReplyType::deleted:
      return "DELETED";
    case ReplyType::touched:
      return "TOUCHED";
    case ReplyType::ok:
      return "OK";
    case ReplyType::number:
      return "a number";
    case ReplyType::stat:
      return "STAT";
    case ReplyType::version:
      return "VERSION";
    case ReplyType::error:
      return "ERROR";
    case ReplyType::client_error:
      return "CLIENT_ERROR";
    case ReplyType::server_error:
      return "SERVER_ERROR";
    default:
      return "a meta reply";  // protocol/meta_operations names those
  }
  return "?";
}

[[noreturn]] void unexpected(const Reply& r, const char* request) {
  throw ProtocolError(fmt::format("memcached answered {} to {}", name(r.type), request));
}

// Out of line, so that the value path does not pay for formatting it.
[[noreturn, gnu::noinline]] void not_asked_for(std::string_view key) {
  throw ProtocolError(
      fmt::format("memcached sent a value for key \"{}\", which was not asked for", key.substr(0, 250)));
}

constexpr std::uint32_t error_bits =
    bit(ReplyType::error) | bit(ReplyType::client_error) | bit(ReplyType::server_error);

bool is_error(ReplyType t) { return (error_bits & bit(t)) != 0; }

ErrorReply error_of(ReplyType type, std::string_view text) {
  return {type, text.empty() ? std::string(name(type)) : std::string(text)};
}

}  // namespace

LineOperation::LineOperation(std::initializer_list<ReplyType> accepted) : accepted_mask_(error_bits) {
  for (ReplyType t : accepted) accepted_mask_ |= bit(t);
}

bool LineOperation::on_reply(const Reply& reply) {
  if ((accepted_mask_ & bit(reply.type)) == 0) unexpected(reply, "a one-line request");
  answered_ = true;
  type_ = reply.type;
  number_ = reply.number;
  text_.assign(reply.data.data(), reply.data.size());
  return true;
}

std::optional<ErrorReply> LineOperation::error() const {
  if (!answered_ || !is_error(type_)) return std::nullopt;
  return error_of(type_, text_);
}

LineOperation LineOperation::storage() {
  return {ReplyType::stored, ReplyType::not_stored, ReplyType::exists, ReplyType::not_found};
}
LineOperation LineOperation::arith() { return {ReplyType::number, ReplyType::not_found}; }
LineOperation LineOperation::deletion() { return {ReplyType::deleted, ReplyType::not_found}; }
LineOperation LineOperation::touch() { return {ReplyType::touched, ReplyType::not_found}; }
LineOperation LineOperation::flush() { return {ReplyType::ok}; }
LineOperation LineOperation::version() { return {ReplyType::version}; }

bool LineSequence::on_reply(const Reply& reply) {
  ops_[next_].on_reply(reply);
  return ++next_ == ops_.size();
}

RetrievalOperation::RetrievalOperation(std::vector<std::string_view> keys, std::size_t first, Sink sink)
    : keys_(std::move(keys)), first_(first), sink_(sink) {}

RetrievalOperation::RetrievalOperation(std::string_view key, Sink sink) : one_(key), sink_(sink) {}

RetrievalOperation::RetrievalOperation(const std::string_view* keys, std::size_t count, std::size_t first, Sink sink)
    : view_(keys), view_count_(count), first_(first), sink_(sink) {}

bool RetrievalOperation::on_reply(const Reply& reply) {
  if (reply.type != ReplyType::value && reply.type != ReplyType::oversized_value) return on_end(reply);
  // Which of the three forms this is, looked up here rather than stored as a
  // pointer, so that a moved operation still points at its own one_.
  const bool single = view_ == nullptr && keys_.empty() && !one_.empty();
  const std::string_view* keys = view_ ? view_ : single ? &one_ : keys_.data();
  const std::size_t count = view_ ? view_count_ : single ? 1 : keys_.size();
  while (cursor_ < count && keys[cursor_] != reply.key) ++cursor_;
  if (cursor_ == count) not_asked_for(reply.key);
  sink_(first_ + cursor_, reply);
  ++cursor_;
  return false;
}

bool RetrievalOperation::on_end(const Reply& reply) {
  if (reply.type == ReplyType::end) return true;
  if (!is_error(reply.type)) unexpected(reply, "get");
  error_ = error_of(reply.type, reply.data);
  return true;
}

bool SyncOperation::on_reply(const Reply& reply) {
  if (reply.type == ReplyType::version) return true;
  if (!is_error(reply.type)) unexpected(reply, "version");
  ++errors_;
  last_error_.assign(reply.data.data(), reply.data.size());
  if (last_error_.empty()) last_error_ = name(reply.type);
  return false;
}

bool StatsOperation::on_reply(const Reply& reply) {
  if (reply.type == ReplyType::end) return true;
  if (reply.type != ReplyType::stat) unexpected(reply, "stats");
  sink_(reply.name, reply.data);
  return false;
}

}  // namespace memcache::detail::protocol
