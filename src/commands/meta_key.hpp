#ifndef MEMCACHE_SRC_COMMANDS_META_KEY_HPP
#define MEMCACHE_SRC_COMMANDS_META_KEY_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include <memcache/detail/encoded.hpp>
#include <memcache/key.hpp>
#include <memcache/options.hpp>
#include <memcache/value.hpp>

#include "commands/single_key.hpp"
#include "protocol/meta_operations.hpp"
#include "protocol/meta_requests.hpp"
#include "values/prepare.hpp"

namespace memcache::detail {

/// One meta request on one key whose reply is read whole, flags and all
/// (W, X, Z, c, f): get_or_set's `mg N<lease>`, `ms C<cas>` and `md`, and
/// invalidate's `md I`. The key's text and a stored value outlive it.
class MetaKeyCommand final : public SingleKeyCommand {
 public:
  MetaKeyCommand(const Key& key, const Options& options, const protocol::MetaGet& get);
  /// The value is prepared (size cap; not compressed) here.
  MetaKeyCommand(const Key& key, const Options& options, const protocol::MetaSet& set, const Encoded& value);
  MetaKeyCommand(const Key& key, const Options& options, const protocol::MetaDelete& del);

  void plan(Router& router) override;
  protocol::Operation* encode(std::size_t part, std::string& out) override;

  /// The reply, when the server answered; nullptr otherwise.
  const protocol::MetaReplyOperation* reply() const { return reached() && op_ && op_->answered() ? &*op_ : nullptr; }
  /// The server answered ERROR: it does not know meta commands.
  bool unknown_command() const { return reply() && reply()->type() == protocol::ReplyType::error; }
  /// mg's VA as a Value (its data and client flags).
  Value value() const;
  /// A store that was not sent: the value is over server_max_value_length.
  bool refused() const { return std::holds_alternative<protocol::MetaSet>(request_) && !prepared_; }

 private:
  std::variant<protocol::MetaGet, protocol::MetaSet, protocol::MetaDelete> request_;
  std::string compressed_;
  std::optional<PreparedValue> prepared_;
  std::optional<protocol::MetaReplyOperation> op_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_META_KEY_HPP
