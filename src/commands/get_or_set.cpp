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

}  // namespace

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
  send(get_, key_, false, options_);
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
      if (!get_->reached()) return compute_unstored();
      found_ = get_->take_value();
      if (found_) return finish();
      return take_lock();
    case Stage::lock:
      if (!store_command_->reached()) return compute_unstored();
      if (!store_command_->stored()) return poll_later();
      won_ = store_ = true;
      step_ = Step::compute;
      return;
    case Stage::store:
    case Stage::unlock:
      if (stage_ == Stage::unlock || !won_) return finish();
      stage_ = Stage::unlock;
      return send(line_, LineCommand::Verb::del, lock_, 0, false, options_);
  }
}

void GetOrSetFlow::computed(Encoded value) {
  value_.emplace(std::move(value));
  if (!store_) return finish();
  stage_ = Stage::store;
  // add, not set: a value written while this one was computed stays.
  send(store_command_, StoreVerb::add, key_, *value_, time_, 0, false, std::nullopt, options_, no_cas_);
}

void GetOrSetFlow::compute_threw() {
  threw_ = true;
  if (!won_) return finish();
  stage_ = Stage::unlock;
  send(line_, LineCommand::Verb::del, lock_, 0, false, options_);
}

}  // namespace memcache::detail
