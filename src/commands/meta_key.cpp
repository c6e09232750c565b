#include "commands/meta_key.hpp"

namespace memcache::detail {

MetaKeyCommand::MetaKeyCommand(const Key& key, const Options& options, const protocol::MetaGet& get)
    : SingleKeyCommand(key, options), request_(get) {}

MetaKeyCommand::MetaKeyCommand(const Key& key, const Options& options, const protocol::MetaSet& set,
                               const Encoded& value)
    : SingleKeyCommand(key, options), request_(set), prepared_(prepare_value(value, 0, options, compressed_)) {
  if (prepared_) std::get<protocol::MetaSet>(request_).client_flags = prepared_->flags;
}

MetaKeyCommand::MetaKeyCommand(const Key& key, const Options& options, const protocol::MetaDelete& del)
    : SingleKeyCommand(key, options), request_(del) {}

void MetaKeyCommand::plan(Router& router) {
  if (!refused()) SingleKeyCommand::plan(router);
}

protocol::Operation* MetaKeyCommand::encode(std::size_t, std::string& out) {
  const std::uint32_t token = protocol::next_opaque();
  op_.emplace(token);
  if (const auto* get = std::get_if<protocol::MetaGet>(&request_)) {
    protocol::encode_meta_get(out, key_.text, *get, token);
  } else if (const auto* set = std::get_if<protocol::MetaSet>(&request_)) {
    protocol::encode_meta_set(out, key_.text, prepared_->bytes, *set, token);
  } else {
    protocol::encode_meta_delete(out, key_.text, std::get<protocol::MetaDelete>(request_), token);
  }
  return &*op_;
}

Value MetaKeyCommand::value() const {
  const auto* r = reply();
  if (r == nullptr || r->type() != protocol::ReplyType::meta_value) return {};
  return Value(r->data(), r->flags().client_flags.value_or(0));
}

}  // namespace memcache::detail
