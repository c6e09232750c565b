#include "commands/multi_key.hpp"

#include <algorithm>
#include <iterator>
#include <numeric>

#include <fmt/format.h>

#include <memcache/error.hpp>
#include <memcache/error_code.hpp>

#include "commands/key_check.hpp"
#include "commands/oversized.hpp"
#include "protocol/meta_requests.hpp"
#include "protocol/requests.hpp"
#include "support/debug_log.hpp"
#include "values/compression.hpp"

namespace memcache::detail {

using protocol::LineOperation;
using protocol::ReplyType;

namespace {

// Keys per `get` line: keeps request lines short for any server.
constexpr std::size_t keys_per_get = 100;

std::string_view text_of(const Key& k) { return k.text; }

}  // namespace

// -- KeyGroups --------------------------------------------------------------------

KeyGroups::KeyGroups(const KeyList& keys, std::string_view prefix) : keys_(keys), prefix_(prefix) {
  if (!prefix_.empty()) {
    for (const Key& k : keys_) prefixed_.emplace_back(std::string(prefix_).append(k.text.data(), k.text.size()));
  }
}

void KeyGroups::route(Router& router) {
  if (router.servers() == 1) {
    // One server: every key hashes to it, and rehashing past it lands on it
    // again, so all keys go there or, when it is unusable, none do. This
    // skips a hash, a rehash check and three calls per key.
    per_server_.resize(1);
    if (keys_.empty()) return;
    if (!router.usable(0)) {
      unrouted_ = keys_.size();
      return;
    }
    per_server_[0].resize(keys_.size());
    std::iota(per_server_[0].begin(), per_server_[0].end(), std::size_t{0});
    return;
  }
  constexpr auto unrouted = static_cast<std::uint32_t>(-1);
  std::vector<std::uint32_t> server_of(keys_.size(), unrouted);
  std::vector<std::size_t> count(router.servers());
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    auto server = router.route(wire(i), keys_[i].hash);
    if (!server) {
      ++unrouted_;
      continue;
    }
    server_of[i] = static_cast<std::uint32_t>(*server);
    ++count[*server];
  }
  per_server_.resize(count.size());
  for (std::size_t s = 0; s < count.size(); ++s) per_server_[s].reserve(count[s]);
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (server_of[i] != unrouted) per_server_[server_of[i]].push_back(i);
  }
}

// -- get_multi ----------------------------------------------------------------------

GetMultiCommand::GetMultiCommand(const KeyList& keys, std::string_view prefix, const Options& options,
                                 std::vector<std::string_view>& sent_keys, std::optional<ValueVisitor> visit)
    : groups_(keys, prefix), options_(options), sent_keys_(sent_keys), visit_(visit) {
  check_call_keys(options, prefix, keys, text_of);
}

void GetMultiCommand::plan(Router& router) {
  groups_.route(router);
  if (groups_.unrouted() != 0) error_ = make_error_code(errc::no_server);
  sent_keys_.clear();
  sent_keys_.reserve(groups_.keys().size() - groups_.unrouted());  // never reallocated: parts point into it
  sent_index_.reserve(sent_keys_.capacity());
  const auto& per_server = groups_.per_server();
  for (std::size_t s = 0; s < per_server.size(); ++s) {
    const auto& indices = per_server[s];
    for (std::size_t begin = 0; begin < indices.size(); begin += keys_per_get) {
      const std::size_t end = std::min(indices.size(), begin + keys_per_get);
      Part& part = parts_.emplace_back();
      part.server = s;
      part.first_key = sent_keys_.size();
      part.count = end - begin;
      for (std::size_t j = begin; j < end; ++j) {
        sent_keys_.push_back(groups_.wire(indices[j]));
        sent_index_.push_back(indices[j]);
      }
    }
  }
}

protocol::Operation* GetMultiCommand::encode(std::size_t index, std::string& out) {
  Part& part = parts_[index];
  if (visit_) {
    part.op.emplace(sent_keys_.data() + part.first_key, part.count, part.first_key,
                    [this](std::size_t sent, const protocol::Reply& r) { visit(sent, r); });
  } else {
    part.op.emplace(sent_keys_.data() + part.first_key, part.count, part.first_key,
                    [this, &part](std::size_t sent, const protocol::Reply& r) {
                      if (r.type == ReplyType::oversized_value) return log_oversized(options_, r);
                      part.found.emplace_back(sent_index_[sent], Value(std::string(r.data), r.flags));
                    });
  }
  if (options_.protocol == Protocol::meta) {
    // Quiet gets (misses send nothing), then mn: its MN ends the batch.
    protocol::MetaGet get;
    get.quiet = true;
    const auto count = static_cast<std::uint32_t>(part.count);
    const std::uint32_t first = protocol::next_opaque(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      protocol::encode_meta_get(out, sent_keys_[part.first_key + i], get, first + i);
    }
    protocol::encode_meta_noop(out);
    return &part.meta_check.emplace(*part.op, ReplyType::value, first, part.count, true);
  }
  protocol::begin_retrieval(out, false);
  for (std::size_t i = 0; i < part.count; ++i) protocol::append_key(out, sent_keys_[part.first_key + i]);
  protocol::finish_line(out);
  return &*part.op;
}

void GetMultiCommand::visit(std::size_t sent, const protocol::Reply& reply) {
  if (reply.type == ReplyType::oversized_value) return log_oversized(options_, reply);
  if (visitor_error_) return;
  const std::string_view key = groups_.keys()[sent_index_[sent]].text;
  Value::View value{reply.data, reply.flags};
  if ((reply.flags & flags::compressed) != 0) {
    // As get_multi: a value that cannot be decompressed is left out, and logged.
    try {
      inflated_ = decompress(reply.data, options_);
    } catch (const ValueError& e) {
      debug_log(options_, fmt::format("key \"{}\": {}", key, e.what()));
      return;
    }
    value = Value::View{inflated_, reply.flags & ~flags::compressed};
  }
  try {
    (*visit_)(key, value);
    ++visited_;
  } catch (...) {
    visitor_error_ = std::current_exception();
  }
}

void GetMultiCommand::failed(std::size_t part, std::error_code why) {
  parts_[part].failed = true;
  if (!error_) error_ = why;
}

FoundList GetMultiCommand::take_found() {
  // A server whose reply failed part-way contributes nothing: only complete
  // replies count.
  FoundList result;
  for (std::size_t i = 0; i < parts_.size(); ++i) {
    Part& part = parts_[i];
    // Every part of a server shares its connection: one failed, all did.
    if (part.failed) continue;
    if (const auto& reply = part.op->error()) {
      // An answer for this line only: the values before it are whole.
      if (!error_) error_ = make_error_code(errc::server_error);
      debug_log(options_, fmt::format("get_multi: server answered error: {}", reply->text));
    }
    if (result.empty()) {
      result = std::move(part.found);
    } else {
      std::move(part.found.begin(), part.found.end(), std::back_inserter(result));
    }
  }
  return result;
}

// -- set_multi ----------------------------------------------------------------------

SetMultiCommand::SetMultiCommand(const Items& items, Expiry time, std::string_view prefix, std::size_t min_compress_len,
                                 bool noreply, const Options& options)
    : items_(items),
      exptime_(time.wire_value()),
      prefix_(prefix),
      min_compress_len_(min_compress_len),
      noreply_(noreply),
      options_(options) {
  check_call_keys(options, prefix, items, [](const auto& item) { return item.first.text; });
}

void SetMultiCommand::plan(Router& router) {
  values_.reserve(items_.size());
  std::vector<std::size_t> part_of(router.servers(), static_cast<std::size_t>(-1));
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const auto& [key, value] = items_[i];
    std::string& wire = wire_keys_.emplace_back(prefix_);
    wire.append(key.text.data(), key.text.size());
    std::string scratch;
    auto& prepared = values_.emplace_back(prepare_value(value, min_compress_len_, options_, scratch));
    if (prepared && prepared->bytes.data() == scratch.data()) {
      prepared->bytes = compressed_.emplace_back(std::move(scratch));
    }
    auto server = prepared ? router.route(wire, key.hash) : std::nullopt;
    if (!server) {
      refused_.push_back(i);
      continue;
    }
    if (part_of[*server] == static_cast<std::size_t>(-1)) {
      part_of[*server] = parts_.size();
      parts_.emplace_back().server = *server;
    }
    parts_[part_of[*server]].items.push_back(i);
  }
}

protocol::Operation* SetMultiCommand::encode(std::size_t index, std::string& out) {
  Part& part = parts_[index];
  if (options_.protocol == Protocol::meta && !noreply_) {
    const std::uint32_t first = protocol::next_opaque(static_cast<std::uint32_t>(part.items.size()));
    std::uint32_t token = first;
    for (std::size_t i : part.items) {
      const PreparedValue& v = *values_[i];
      protocol::MetaSet set;
      set.client_flags = v.flags;
      set.ttl = exptime_;
      protocol::encode_meta_set(out, wire_keys_[i], v.bytes, set, token++);
      part.replies.add(LineOperation::storage());
    }
    return &part.meta_check.emplace(part.replies, ReplyType::stored, first, part.items.size());
  }
  for (std::size_t i : part.items) {
    const PreparedValue& v = *values_[i];
    protocol::encode_storage(out, "set", wire_keys_[i], v.flags, exptime_, v.bytes, std::nullopt, noreply_);
    if (!noreply_) part.replies.add(LineOperation::storage());
  }
  return noreply_ ? nullptr : &part.replies;
}

void SetMultiCommand::failed(std::size_t part, std::error_code) { parts_[part].failed = true; }

std::vector<std::size_t> SetMultiCommand::not_stored() const {
  std::vector<std::size_t> out = refused_;
  for (const Part& part : parts_) {
    for (std::size_t j = 0; j < part.items.size(); ++j) {
      const bool stored = !part.failed && (noreply_ || (j < part.replies.size() && part.replies[j].answered() &&
                                                        part.replies[j].type() == ReplyType::stored));
      if (!stored) out.push_back(part.items[j]);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// -- delete_multi -------------------------------------------------------------------

DeleteMultiCommand::DeleteMultiCommand(const KeyList& keys, Expiry time, std::string_view prefix, bool noreply,
                                       const Options& options)
    : groups_(keys, prefix),
      exptime_(time.wire_value()),
      noreply_(noreply),
      // md has no delete time: a nonzero one goes as text (memcached 1.6 refuses it there too)
      meta_(options.protocol == Protocol::meta && !noreply && exptime_ == 0) {
  check_call_keys(options, prefix, keys, text_of);
}

void DeleteMultiCommand::plan(Router& router) {
  groups_.route(router);
  const auto& per_server = groups_.per_server();
  for (std::size_t s = 0; s < per_server.size(); ++s) {
    if (!per_server[s].empty()) parts_.push_back(Part{s, &per_server[s], false, {}, std::nullopt});
  }
}

protocol::Operation* DeleteMultiCommand::encode(std::size_t index, std::string& out) {
  Part& part = parts_[index];
  if (meta_) {
    const std::uint32_t first = protocol::next_opaque(static_cast<std::uint32_t>(part.keys->size()));
    std::uint32_t token = first;
    for (std::size_t i : *part.keys) {
      protocol::encode_meta_delete(out, groups_.wire(i), {}, token++);
      part.replies.add(LineOperation::deletion());
    }
    return &part.meta_check.emplace(part.replies, ReplyType::deleted, first, part.keys->size());
  }
  for (std::size_t i : *part.keys) {
    protocol::encode_delete(out, groups_.wire(i), exptime_, noreply_);
    if (!noreply_) part.replies.add(LineOperation::deletion());
  }
  return noreply_ ? nullptr : &part.replies;
}

void DeleteMultiCommand::failed(std::size_t part, std::error_code) { parts_[part].failed = true; }

bool DeleteMultiCommand::all_reached() const {
  if (groups_.unrouted() != 0) return false;
  return std::none_of(parts_.begin(), parts_.end(), [](const Part& p) { return p.failed; });
}

}  // namespace memcache::detail
