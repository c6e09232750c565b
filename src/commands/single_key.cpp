#include "commands/single_key.hpp"

#include <fmt/format.h>

#include <memcache/error_code.hpp>

#include "commands/key_check.hpp"
#include "commands/oversized.hpp"
#include "protocol/meta_requests.hpp"
#include "protocol/requests.hpp"
#include "support/debug_log.hpp"

namespace memcache::detail {

using protocol::LineOperation;
using protocol::ReplyType;

SingleKeyCommand::SingleKeyCommand(const Key& key, const Options& options) : key_(key), options_(options) {
  check_call_key(options, key.text);
}

std::error_code SingleKeyCommand::no_server() { return make_error_code(errc::no_server); }

void SingleKeyCommand::log_error_reply(const std::optional<protocol::ErrorReply>& reply) const {
  if (reply) debug_log(options_, fmt::format("key \"{}\": server answered error: {}", key_.text, reply->text));
}

std::error_code SingleKeyCommand::error_of(const std::optional<protocol::ErrorReply>& reply) const {
  if (!reached() || !reply) return {};
  return make_error_code(errc::server_error);
}

// -- get ------------------------------------------------------------------------

GetCommand::GetCommand(const Key& key, bool with_cas, const Options& options, std::optional<std::int64_t> touch)
    : SingleKeyCommand(key, options),
      with_cas_(with_cas),
      touch_(touch),
      op_(key.text, [this](std::size_t, const protocol::Reply& r) {
        if (r.type == ReplyType::oversized_value) {
          error_ = make_error_code(errc::bad_value);
          log_oversized(options_, r);
          return;
        }
        value_.emplace(std::string(r.data), r.flags);
        cas_ = r.cas;
      }) {}

protocol::Operation* GetCommand::encode(std::size_t, std::string& out) {
  if (meta()) {
    protocol::MetaGet get;
    get.cas = with_cas_;
    get.touch = touch_;
    const std::uint32_t token = protocol::next_opaque();
    protocol::encode_meta_get(out, key_.text, get, token);
    return checked(op_, ReplyType::value, token);
  }
  if (touch_) {
    protocol::encode_touch_retrieval(out, with_cas_, *touch_, key_.text);
  } else {
    protocol::encode_retrieval(out, with_cas_, key_.text);
  }
  return &op_;
}

void GetCommand::finish(CasCache& cas_cache) {
  if (with_cas_ && value_ && reached() && options_.cache_cas) cas_cache.remember(key_.text, cas_);
  if (reached()) log_error_reply(op_.error());
}

// -- storage ----------------------------------------------------------------------

namespace {
protocol::MetaMode meta_mode(StoreVerb verb) {
  switch (verb) {
    case StoreVerb::add:
      return protocol::MetaMode::add;
    case StoreVerb::replace:
      return protocol::MetaMode::replace;
    case StoreVerb::append:
      return protocol::MetaMode::append;
    case StoreVerb::prepend:
      return protocol::MetaMode::prepend;
    case StoreVerb::set:
    case StoreVerb::cas:  // a set with C<cas>
      break;
  }
  return protocol::MetaMode::set;
}
}  // namespace

StoreCommand::StoreCommand(StoreVerb verb, const Key& key, const Encoded& value, Expiry time,
                           std::size_t min_compress_len, bool noreply, std::optional<std::uint64_t> cas_unique,
                           const Options& options, const CasCache& cas_cache)
    : SingleKeyCommand(key, options),
      verb_(verb),
      value_(prepare_value(value, min_compress_len, options, compressed_)),
      exptime_(time.wire_value()),
      noreply_(noreply),
      cas_unique_(cas_unique) {
  if (verb_ == StoreVerb::cas && !cas_unique_) {
    if (options.cache_cas) cas_unique_ = cas_cache.find(key.text);
    if (!cas_unique_) verb_ = StoreVerb::set;
  }
}

void StoreCommand::plan(Router& router) {
  // A value refused before sending (too large) goes nowhere.
  if (value_) SingleKeyCommand::plan(router);
}

protocol::Operation* StoreCommand::encode(std::size_t, std::string& out) {
  if (meta() && !noreply_) {
    protocol::MetaSet set;
    set.mode = meta_mode(verb_);
    set.client_flags = value_->flags;
    set.ttl = exptime_;
    if (verb_ == StoreVerb::cas) set.cas = cas_unique_;
    const std::uint32_t token = protocol::next_opaque();
    protocol::encode_meta_set(out, key_.text, value_->bytes, set, token);
    return checked(op_, ReplyType::stored, token);
  }
  protocol::encode_storage(out, verb_name(verb_), key_.text, value_->flags, exptime_, value_->bytes,
                           verb_ == StoreVerb::cas ? cas_unique_ : std::nullopt, noreply_);
  return noreply_ ? nullptr : &op_;
}

bool StoreCommand::stored() const { return value_ && reached() && (noreply_ || op_.type() == ReplyType::stored); }

void StoreCommand::finish() const {
  if (reached()) log_error_reply(op_.error());
}

// -- delete, touch, incr, decr ------------------------------------------------------

namespace {
LineOperation operation_for(LineCommand::Verb verb) {
  switch (verb) {
    case LineCommand::Verb::del:
      return LineOperation::deletion();
    case LineCommand::Verb::touch:
      return LineOperation::touch();
    case LineCommand::Verb::incr:
    case LineCommand::Verb::decr:
      return LineOperation::arith();
  }
  return LineOperation::deletion();
}
}  // namespace

LineCommand::LineCommand(Verb verb, const Key& key, std::uint64_t number, bool noreply, const Options& options)
    : SingleKeyCommand(key, options), verb_(verb), number_(number), noreply_(noreply), op_(operation_for(verb)) {}

protocol::Operation* LineCommand::encode(std::size_t, std::string& out) {
  if (meta() && !noreply_) return encode_meta(out);
  switch (verb_) {
    case Verb::del:
      protocol::encode_delete(out, key_.text, 0, noreply_);
      break;
    case Verb::touch:
      protocol::encode_touch(out, key_.text, static_cast<std::int64_t>(number_), noreply_);
      break;
    case Verb::incr:
    case Verb::decr:
      protocol::encode_arith(out, verb_ == Verb::incr, key_.text, number_, noreply_);
      break;
  }
  return noreply_ ? nullptr : &op_;
}

protocol::Operation* LineCommand::encode_meta(std::string& out) {
  const std::uint32_t token = protocol::next_opaque();
  switch (verb_) {
    case Verb::del:
      protocol::encode_meta_delete(out, key_.text, {}, token);
      return checked(op_, ReplyType::deleted, token);
    case Verb::touch: {
      protocol::MetaGet touch;
      touch.value = touch.client_flags = touch.key = false;
      touch.touch = static_cast<std::int64_t>(number_);
      protocol::encode_meta_get(out, key_.text, touch, token);
      return checked(op_, ReplyType::touched, token);
    }
    case Verb::incr:
    case Verb::decr: {
      protocol::MetaArith arith;
      arith.incr = verb_ == Verb::incr;
      arith.delta = number_;
      protocol::encode_meta_arith(out, key_.text, arith, token);
      return checked(op_, ReplyType::number, token);
    }
  }
  return nullptr;
}

bool LineCommand::confirmed() const {
  const ReplyType wanted = verb_ == Verb::touch ? ReplyType::touched : ReplyType::deleted;
  return reached() && (noreply_ || op_.type() == wanted);
}

std::optional<std::uint64_t> LineCommand::number() const {
  if (!reached() || noreply_ || op_.type() != ReplyType::number) return std::nullopt;
  return op_.number();
}

std::error_code LineCommand::reply_error() const {
  if (noreply_) return {};
  const bool arith = verb_ == Verb::incr || verb_ == Verb::decr;
  if (arith && reached() && op_.answered() && op_.type() == ReplyType::client_error) {
    return make_error_code(errc::bad_value);
  }
  return error_of(op_.error());
}

void LineCommand::finish() const {
  if (reached()) log_error_reply(op_.error());
}

}  // namespace memcache::detail
