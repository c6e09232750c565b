#ifndef MEMCACHE_SRC_PROTOCOL_META_OPERATIONS_HPP
#define MEMCACHE_SRC_PROTOCOL_META_OPERATIONS_HPP

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/meta_reply.hpp"
#include "protocol/operations.hpp"
#include "protocol/reply_parser.hpp"

namespace memcache::detail::protocol {

/// The self-check of meta requests: every meta reply must echo the opaque
/// token of the request it answers, in order; one that does not (the
/// connection fell out of step, or a reply was corrupted), or any reply that
/// makes no sense here, is a ProtocolError, which fails the connection's
/// requests in flight and closes it, as for any reply that makes no sense.
///
/// Checked replies go on, as the text protocol's, to the operation the
/// command already reads (LineOperation, LineSequence, RetrievalOperation):
/// one command, either protocol.
class MetaCheck final : public Operation {
 public:
  /// `count` requests were sent with tokens `first_token`, `first_token` + 1,
  /// ... `hit` is what HD or VA means to `inner`: ReplyType::stored,
  /// deleted or touched (HD), number (ma's VA) or value (mg's VA; EN is then
  /// a miss, and END is handed to `inner` after the last reply). `quiet`:
  /// the mg requests had `q` and were followed by `mn`: misses send nothing,
  /// and MN ends the batch. `inner` outlives this.
  MetaCheck(Operation& inner, ReplyType hit, std::uint32_t first_token, std::size_t count, bool quiet = false);
  bool on_reply(const Reply& reply) override;

 private:
  // The token's place among this batch's requests; throws if it is not one
  // of them at or after `from`.
  std::size_t place_of(const Reply& reply, std::size_t from) const;
  // Hands `inner_` the text reply meaning the same as the meta `reply`.
  void forward(const Reply& reply);

  Operation* inner_;
  ReplyType hit_;
  std::uint32_t first_;
  std::size_t count_;
  bool quiet_;
  std::size_t next_ = 0;  // the place of the next reply due
};

/// One meta request's reply, kept whole for callers that read the meta flags
/// themselves (get_or_set: W, X, Z, t): its code, flags and data, after the
/// opaque check. Error lines (ERROR, CLIENT_ERROR, SERVER_ERROR) are kept
/// too, with their text in `data`.
class MetaReplyOperation final : public Operation {
 public:
  explicit MetaReplyOperation(std::uint32_t token) : token_(token) {}
  bool on_reply(const Reply& reply) override;

  bool answered() const { return answered_; }
  /// meta_value, meta_hit, meta_miss, meta_not_found, meta_not_stored,
  /// meta_exists, or an error type.
  ReplyType type() const { return type_; }
  const MetaFlags& flags() const { return flags_; }
  /// VA's value, or an error line's text.
  const std::string& data() const { return data_; }

 private:
  std::uint32_t token_;
  bool answered_ = false;
  ReplyType type_ = ReplyType::error;
  MetaFlags flags_;
  std::string data_;
};

/// True for the types of meta replies.
constexpr bool is_meta(ReplyType t) { return t >= ReplyType::meta_value && t <= ReplyType::meta_noop; }

/// Throws ProtocolError unless `reply` carries `token` as its opaque.
void check_opaque(const Reply& reply, std::uint32_t token);

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_META_OPERATIONS_HPP
