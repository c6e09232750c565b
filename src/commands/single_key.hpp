#ifndef MEMCACHE_SRC_COMMANDS_SINGLE_KEY_HPP
#define MEMCACHE_SRC_COMMANDS_SINGLE_KEY_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <memcache/detail/encoded.hpp>
#include <memcache/detail/store_verb.hpp>
#include <memcache/expiry.hpp>
#include <memcache/key.hpp>
#include <memcache/options.hpp>
#include <memcache/value.hpp>

#include "commands/cas_cache.hpp"
#include "commands/command.hpp"
#include "protocol/meta_operations.hpp"
#include "protocol/operations.hpp"
#include "values/prepare.hpp"

namespace memcache::detail {

/// A command on one key: one request to the key's server. The key's text
/// must outlive the command.
class SingleKeyCommand : public Command {
 public:
  void plan(Router& router) override { server_ = router.route(key_.text, key_.hash); }
  std::size_t parts() const override { return server_ ? 1 : 0; }
  std::size_t server(std::size_t) const override { return *server_; }
  void failed(std::size_t, std::error_code why) override { error_ = why; }
  std::optional<std::string_view> route_key() const override { return key_.text; }
  std::optional<std::uint64_t> route_hash() const override { return key_.hash; }

  /// Why there is no answer: no_server when no server could be used, the
  /// failure of the request otherwise; empty when the server answered.
  std::error_code error() const { return server_ ? error_ : no_server(); }
  /// The server answered (or, with noreply, the request was sent).
  bool reached() const { return !error(); }

 protected:
  static std::error_code no_server();
  /// Checks the key (KeyError) when the options say so.
  SingleKeyCommand(const Key& key, const Options& options);
  /// Under `debug`, says that the server answered ERROR, CLIENT_ERROR or
  /// SERVER_ERROR to this key's request.
  void log_error_reply(const std::optional<protocol::ErrorReply>& reply) const;
  /// server_error for an error line (the request failed; the connection and
  /// the other requests on it are fine), else nothing.
  std::error_code error_of(const std::optional<protocol::ErrorReply>& reply) const;
  /// Over the meta protocol: the request gets an opaque token.
  bool meta() const { return options_.protocol == Protocol::meta; }
  /// `op`, behind the opaque check of the meta request sent with `token`.
  protocol::Operation* checked(protocol::Operation& op, protocol::ReplyType hit, std::uint32_t token) {
    return &meta_check_.emplace(op, hit, token, 1);
  }

  Key key_;
  const Options& options_;
  std::optional<std::size_t> server_;
  std::error_code error_;
  std::optional<protocol::MetaCheck> meta_check_;
};

/// get / gets of one key; with `touch`, gat / gats (the expiry set too).
class GetCommand final : public SingleKeyCommand {
 public:
  GetCommand(const Key& key, bool with_cas, const Options& options, std::optional<std::int64_t> touch = std::nullopt);
  protocol::Operation* encode(std::size_t part, std::string& out) override;

  /// After the reply: remembers the cas unique for `cas` (cache_cas); logs
  /// an error reply.
  void finish(CasCache& cas_cache);
  /// The value, when the server had one and its reply arrived in full.
  std::optional<Value> take_value() { return reached() ? std::move(value_) : std::nullopt; }
  /// The server answered an error line (e.g. a proxy's SERVER_ERROR for a
  /// backend that is down): server_error.
  std::error_code reply_error() const { return error_of(op_.error()); }
  std::uint64_t cas_unique() const { return cas_; }

 private:
  bool with_cas_;
  std::optional<std::int64_t> touch_;
  std::optional<Value> value_;
  std::uint64_t cas_ = 0;
  protocol::RetrievalOperation op_;
};

/// set / add / replace / append / prepend / cas of one key: the value is
/// prepared (compressed, size-checked) here, once, for either client.
class StoreCommand final : public SingleKeyCommand {
 public:
  /// `cas_unique` empty with StoreVerb::cas: the unique `gets` remembered in
  /// `cas_cache`, else a plain set (python-memcached's cas with cache_cas).
  StoreCommand(StoreVerb verb, const Key& key, const Encoded& value, Expiry time, std::size_t min_compress_len,
               bool noreply, std::optional<std::uint64_t> cas_unique, const Options& options,
               const CasCache& cas_cache);
  void plan(Router& router) override;
  protocol::Operation* encode(std::size_t part, std::string& out) override;

  /// STORED (or sent, with noreply).
  bool stored() const;
  /// Not sent at all: the value is over server_max_value_length.
  bool refused() const { return !value_; }
  /// The server answered an error line (SERVER_ERROR object too large for
  /// cache, out of memory...): server_error.
  std::error_code reply_error() const { return error_of(op_.error()); }
  /// After the reply: logs an error reply.
  void finish() const;

 private:
  StoreVerb verb_;
  std::string compressed_;  // before value_, which may point into it
  std::optional<PreparedValue> value_;
  std::int64_t exptime_;
  bool noreply_;
  std::optional<std::uint64_t> cas_unique_;
  protocol::LineOperation op_ = protocol::LineOperation::storage();
};

/// delete, touch, incr and decr of one key: one request line, one reply line.
class LineCommand final : public SingleKeyCommand {
 public:
  enum class Verb { del, touch, incr, decr };
  /// `number` is the delta of incr/decr, the exptime of touch, unused by del.
  LineCommand(Verb verb, const Key& key, std::uint64_t number, bool noreply, const Options& options);
  protocol::Operation* encode(std::size_t part, std::string& out) override;

  /// DELETED / TOUCHED (or sent, with noreply).
  bool confirmed() const;
  /// incr/decr: the new value; empty on a miss, a failure or with noreply.
  std::optional<std::uint64_t> number() const;
  /// The server answered with an error: CLIENT_ERROR to incr/decr (the value
  /// is not a number) gives bad_value, any other error line server_error.
  std::error_code reply_error() const;
  /// The server's text for that error.
  const std::string& reply_text() const { return op_.text(); }
  /// After the reply: logs an error reply.
  void finish() const;

 private:
  protocol::Operation* encode_meta(std::string& out);

  Verb verb_;
  std::uint64_t number_;
  bool noreply_;
  protocol::LineOperation op_;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_SINGLE_KEY_HPP
