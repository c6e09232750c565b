#include "commands/get_or_set.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "commands/key_check.hpp"

namespace memcache::detail {

namespace {

constexpr std::chrono::milliseconds first_poll{1};
constexpr std::chrono::milliseconds longest_poll{50};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

/// A reply that is `mg N`'s placeholder: no bytes, no flags. (An empty
/// string stored by a client looks the same: its callers wait for the
/// winner rather than take it stale, which costs them only time.)
bool placeholder(const Value& v) { return v.bytes().empty() && v.flags() == 0; }

}  // namespace

bool meta_for(const Key& key, const Options& options, const Topology& topology) {
  if (options.stampede_lock != StampedeLock::meta) return false;
  auto server = topology.selector.pick(key.text, key.hash, [&](std::size_t i) { return !topology.servers[i]->dead(); });
  return !server || !topology.servers[*server]->lacks_meta();
}

/// The server answered a meta command with ERROR.
static void note_lacks_meta(const MetaKeyCommand& command, const Topology& topology) {
  ServerState& server = *topology.servers[command.server(0)];
  server.log(fmt::format("{}: answers meta commands with ERROR: get_or_set uses an add lock there",
                         server.address().to_string()));
  server.note_lacks_meta();
}

std::string GetOrSetFlow::lock_key(std::string_view key, std::size_t max_key_length) {
  std::string lock = fmt::format("{}:lock", key);
  // A key near the length limit gets a lock named by its hash: two keys
  // sharing a lock only wait for each other, they never mix values.
  if (max_key_length != 0 && lock.size() > max_key_length) lock = fmt::format("lock:{:016x}", fnv1a(key));
  return lock;
}

GetOrSetFlow::GetOrSetFlow(const Key& key, Expiry time, const Options& options, const Topology& topology)
    : key_text_(key.text),
      lock_text_(lock_key(key.text, options.server_max_key_length)),
      key_(key.hash ? Key(*key.hash, key_text_) : Key(key_text_)),
      lock_(key.hash ? Key(*key.hash, lock_text_) : Key(lock_text_)),
      time_(time),
      options_(options),
      topology_(topology) {
  check_call_key(options, key_text_);
  lookup();
}

template <class Cmd, class... Args>
void GetOrSetFlow::send(std::optional<Cmd>& slot, Args&&... args) {
  slot.emplace(std::forward<Args>(args)...);
  command_ = &*slot;
  step_ = Step::run;
}

void GetOrSetFlow::lookup() {
  stage_ = Stage::lookup;
  meta_ = meta_for(key_, options_, topology_);
  if (!meta_) return send(get_, key_, false, options_);
  protocol::MetaGet get;
  get.cas = true;
  get.vivify = options_.stampede_lease.count();
  send(meta_command_, key_, options_, get);
}

void GetOrSetFlow::meta_looked_up() {
  const MetaKeyCommand& c = *meta_command_;
  const protocol::MetaReplyOperation* r = c.reply();
  if (c.unknown_command()) {
    note_lacks_meta(c, topology_);
    return lookup();
  }
  if (r == nullptr || r->type() != protocol::ReplyType::meta_value) return compute_unstored();
  const protocol::MetaFlags& f = r->flags();
  Value v = c.value();
  if (f.win) {
    // A miss (the placeholder is ours) or a stale value: compute, then write
    // back only over what this win saw.
    cas_ = f.cas.value_or(0);
    won_ = store_ = true;
    if (f.stale && !placeholder(v)) stale_ = std::move(v);
    step_ = Step::compute;
    return;
  }
  if (f.won_already && placeholder(v)) return poll_later();
  found_ = std::move(v);  // a hit, or the stale value another caller recomputes
  finish();
}

void GetOrSetFlow::release() {
  // The placeholder is deleted, a stale value made winnable again, both only
  // if nothing changed since the win.
  stage_ = Stage::unlock;
  protocol::MetaDelete del;
  del.cas = cas_;
  if (stale_) {
    del.invalidate = true;
    del.ttl = options_.stampede_lease.count();
  }
  send(meta_command_, key_, options_, del);
}

void GetOrSetFlow::take_lock() {
  stage_ = Stage::lock;
  send(store_command_, StoreVerb::add, lock_, lock_value_, Expiry(options_.stampede_lease), 0, false, std::nullopt,
       options_, no_cas_);
}

void GetOrSetFlow::compute_unstored() {
  store_ = false;
  step_ = Step::compute;
}

void GetOrSetFlow::poll_later() {
  delay_ = delay_.count() == 0 ? first_poll : std::min(delay_ * 2, longest_poll);
  // The winner's lease ends after stampede_lease (memcached counts whole
  // seconds); past that and a margin, stop waiting for it.
  const auto bound = options_.stampede_lease + std::chrono::seconds(2) + options_.socket_timeout;
  if (waited_ + delay_ > bound) return compute_unstored();
  step_ = Step::wait;
}

void GetOrSetFlow::waited() {
  waited_ += delay_;
  lookup();
}

void GetOrSetFlow::answered() {
  switch (stage_) {
    case Stage::lookup:
      if (meta_) return meta_looked_up();
      if (!get_->reached()) return compute_unstored();
      found_ = get_->take_value();
      if (found_) return finish();
      return take_lock();
    case Stage::lock:
      if (!store_command_->reached()) return compute_unstored();
      if (!store_command_->stored()) return poll_later();
      // Between this caller's miss and its lock, the previous winner may
      // have stored the value and released the lock: look once more.
      won_ = true;
      stage_ = Stage::recheck;
      return send(get_, key_, false, options_);
    case Stage::recheck:
      if (!get_->reached()) return compute_unstored();
      found_ = get_->take_value();
      if (found_) return unlock();
      store_ = true;
      step_ = Step::compute;
      return;
    case Stage::store:
    case Stage::unlock:
      if (stage_ == Stage::unlock || !won_ || meta_) return finish();
      return unlock();
  }
}

void GetOrSetFlow::computed(Encoded value) {
  value_.emplace(std::move(value));
  if (!store_) return finish();
  stage_ = Stage::store;
  if (meta_) {
    // Only over what the win saw: a value written (or invalidated) while
    // this one was computed stays.
    protocol::MetaSet set;
    set.ttl = time_.wire_value();
    set.cas = cas_;
    return send(meta_command_, key_, options_, set, *value_);
  }
  // add, not set: a value written while this one was computed stays.
  send(store_command_, StoreVerb::add, key_, *value_, time_, 0, false, std::nullopt, options_, no_cas_);
}

void GetOrSetFlow::compute_threw() {
  threw_ = true;
  if (!won_) return finish();
  if (meta_) return release();
  unlock();
}

void GetOrSetFlow::unlock() {
  stage_ = Stage::unlock;
  send(line_, LineCommand::Verb::del, lock_, 0, false, options_);
}

// -- invalidate ----------------------------------------------------------------------

InvalidateFlow::InvalidateFlow(const Key& key, const Options& options, const Topology& topology)
    : options_(options), topology_(topology), key_(key) {
  check_call_key(options, key.text);
  if (!meta_for(key, options, topology)) {
    remove();
    return;
  }
  protocol::MetaDelete del;
  del.invalidate = true;
  // A winner that dies leaves the stale value for this long at most.
  del.ttl = options.stampede_lease.count();
  meta_.emplace(key_, options_, del);
  command_ = &*meta_;
}

void InvalidateFlow::remove() {
  del_.emplace(LineCommand::Verb::del, key_, 0, false, options_);
  command_ = &*del_;
  step_ = Step::run;
}

void InvalidateFlow::answered() {
  error_ = del_ ? del_->error() : meta_->error();
  if (del_) {
    del_->finish();
    existed_ = del_->confirmed();
  } else if (meta_->unknown_command()) {
    note_lacks_meta(*meta_, topology_);
    return remove();
  } else {
    existed_ = meta_->reply() && meta_->reply()->type() == protocol::ReplyType::meta_hit;
  }
  step_ = Step::done;
}

}  // namespace memcache::detail
