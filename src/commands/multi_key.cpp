#include "commands/multi_key.hpp"

#include <algorithm>
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

KeyGroups::KeyGroups(const KeyList& keys, std::string_view prefix, std::vector<std::string_view>& wires)
    : keys_(keys), prefix_(prefix), wires_(wires) {
  if (!prefix_.empty()) {
    prefixed_.emplace();
    for (const Key& k : keys_) prefixed_->emplace_back(std::string(prefix_).append(k.text.data(), k.text.size()));
  }
}

void KeyGroups::route(Router& router) {
  wires_.clear();
  starts_.assign(router.servers() + 1, 0);
  if (router.servers() == 1) {
    // One server: every key hashes to it, and rehashing past it lands on it
    // again, so all keys go there in the caller's order or, when it is
    // unusable, none do. This skips a hash, a rehash check and three calls
    // per key.
    if (keys_.empty()) return;
    if (!router.usable(0)) {
      unrouted_ = keys_.size();
      return;
    }
    wires_.reserve(keys_.size());
    if (prefixed_) {
      wires_.assign(prefixed_->begin(), prefixed_->end());
    } else {
      for (const Key& k : keys_) wires_.push_back(k.text);
    }
    starts_[1] = keys_.size();
    return;
  }
  // Each key's server, then the keys placed server by server (a counting sort).
  constexpr auto unrouted = static_cast<std::uint32_t>(-1);
  std::vector<std::uint32_t> server_of(keys_.size(), unrouted);
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    auto server = router.route(wire(i), keys_[i].hash);
    if (!server) {
      ++unrouted_;
      continue;
    }
    server_of[i] = static_cast<std::uint32_t>(*server);
    ++starts_[*server + 1];
  }
  std::partial_sum(starts_.begin(), starts_.end(), starts_.begin());
  std::vector<std::size_t> next(starts_.begin(), starts_.end() - 1);
  wires_.resize(keys_.size() - unrouted_);
  order_.resize(wires_.size());
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (server_of[i] == unrouted) continue;
    const std::size_t at = next[server_of[i]]++;
    wires_[at] = wire(i);
    order_[at] = i;
  }
}

// -- get_multi ----------------------------------------------------------------------

GetMultiCommand::GetMultiCommand(const KeyList& keys, std::string_view prefix, const Options& options,
                                 std::vector<std::string_view>& sent_keys, std::optional<ValueVisitor> visit)
    : groups_(keys, prefix, sent_keys), options_(options), visit_(visit) {
  check_call_keys(options, prefix, keys, text_of);
  if (!visit_) found_.emplace();
}

void GetMultiCommand::plan(Router& router) {
  groups_.route(router);
  if (groups_.unrouted() != 0) error_ = make_error_code(errc::no_server);
  for (std::size_t s = 0; s < groups_.servers(); ++s) {
    const std::size_t end = groups_.begin(s + 1);
    for (std::size_t first = groups_.begin(s); first < end; first += keys_per_get) {
      Part& part = parts_.emplace_back();
      part.server = s;
      part.first_key = first;
      part.count = std::min(end - first, keys_per_get);
    }
  }
}

protocol::Operation* GetMultiCommand::encode(std::size_t index, std::string& out) {
  Part& part = parts_[index];
  const std::string_view* keys = groups_.wires().data() + part.first_key;
  if (visit_) {
    part.op.emplace(keys, part.count, part.first_key,
                    [this](std::size_t sent, const protocol::Reply& r) { visit(sent, r); });
  } else {
    part.op.emplace(keys, part.count, part.first_key, [this](std::size_t sent, const protocol::Reply& r) {
      if (r.type == ReplyType::oversized_value) return log_oversized(options_, r);
      found_->emplace_back(groups_.index(sent), Value(std::string(r.data), r.flags));
    });
  }
  if (options_.protocol == Protocol::meta) {
    // Quiet gets (misses send nothing), then mn: its MN ends the batch.
    protocol::MetaGet get;
    get.quiet = true;
    const auto count = static_cast<std::uint32_t>(part.count);
    const std::uint32_t first = protocol::next_opaque(count);
    for (std::uint32_t i = 0; i < count; ++i) protocol::encode_meta_get(out, keys[i], get, first + i);
    protocol::encode_meta_noop(out);
    return &part.meta_check.emplace(*part.op, ReplyType::value, first, part.count, true);
  }
  protocol::encode_retrieval(out, false, keys, part.count);
  return &*part.op;
}

void GetMultiCommand::visit(std::size_t sent, const protocol::Reply& reply) {
  if (reply.type == ReplyType::oversized_value) return log_oversized(options_, reply);
  if (visitor_error_) return;
  // The caller's key is the sent one without the prefix.
  const std::string_view wire = groups_.wires()[sent];
  const std::string_view key(wire.data() + groups_.prefix_size(), wire.size() - groups_.prefix_size());
  if ((reply.flags & flags::compressed) != 0) return visit_compressed(key, reply);
  call_visitor(key, Value::View{reply.data, reply.flags});
}

void GetMultiCommand::visit_compressed(std::string_view key, const protocol::Reply& reply) {
  // As get_multi: a value that cannot be decompressed is left out, and logged.
  try {
    inflated_ = decompress(reply.data, options_);
  } catch (const ValueError& e) {
    debug_log(options_, fmt::format("key \"{}\": {}", key, e.what()));
    return;
  }
  call_visitor(key, Value::View{inflated_, reply.flags & ~flags::compressed});
}

void GetMultiCommand::call_visitor(std::string_view key, Value::View value) {
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
  if (!found_) return {};
  // A server whose reply failed part-way contributes nothing: only complete
  // replies count.
  std::vector<bool> dropped;
  for (const Part& part : parts_) {
    if (part.failed) {
      // Every part of a server shares its connection: one failed, all did.
      dropped.resize(groups_.keys().size());
      for (std::size_t j = part.first_key; j < part.first_key + part.count; ++j) dropped[groups_.index(j)] = true;
    } else if (const auto& reply = part.op->error()) {
      // An answer for this line only: the values before it are whole.
      if (!error_) error_ = make_error_code(errc::server_error);
      debug_log(options_, fmt::format("get_multi: server answered error: {}", reply->text));
    }
  }
  FoundList result = std::move(*found_);
  if (!dropped.empty()) {
    result.erase(std::remove_if(result.begin(), result.end(), [&](const auto& found) { return dropped[found.first]; }),
                 result.end());
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
    : groups_(keys, prefix, wires_),
      exptime_(time.wire_value()),
      noreply_(noreply),
      // md has no delete time: a nonzero one goes as text (memcached 1.6 refuses it there too)
      meta_(options.protocol == Protocol::meta && !noreply && exptime_ == 0) {
  check_call_keys(options, prefix, keys, text_of);
}

void DeleteMultiCommand::plan(Router& router) {
  groups_.route(router);
  for (std::size_t s = 0; s < groups_.servers(); ++s) {
    const std::size_t first = groups_.begin(s);
    const std::size_t count = groups_.begin(s + 1) - first;
    if (count != 0) parts_.push_back(Part{s, first, count, false, {}, std::nullopt});
  }
}

protocol::Operation* DeleteMultiCommand::encode(std::size_t index, std::string& out) {
  Part& part = parts_[index];
  const std::string_view* keys = groups_.wires().data() + part.first_key;
  if (meta_) {
    const std::uint32_t first = protocol::next_opaque(static_cast<std::uint32_t>(part.count));
    for (std::size_t i = 0; i < part.count; ++i) {
      protocol::encode_meta_delete(out, keys[i], {}, first + static_cast<std::uint32_t>(i));
      part.replies.add(LineOperation::deletion());
    }
    return &part.meta_check.emplace(part.replies, ReplyType::deleted, first, part.count);
  }
  for (std::size_t i = 0; i < part.count; ++i) {
    protocol::encode_delete(out, keys[i], exptime_, noreply_);
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
