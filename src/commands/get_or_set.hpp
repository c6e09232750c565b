#ifndef MEMCACHE_SRC_COMMANDS_GET_OR_SET_HPP
#define MEMCACHE_SRC_COMMANDS_GET_OR_SET_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <memcache/detail/encoded.hpp>
#include <memcache/expiry.hpp>
#include <memcache/key.hpp>
#include <memcache/options.hpp>
#include <memcache/value.hpp>

#include "cluster/topology.hpp"
#include "commands/cas_cache.hpp"
#include "commands/command.hpp"
#include "commands/meta_key.hpp"
#include "commands/single_key.hpp"

namespace memcache::detail {

/// get_or_set's decisions for one caller, sans-io, the same for both
/// clients: which command to send next, when to run compute(), how long to
/// wait before looking again, and when it is done. The driver loops:
///
///     run:     send command(), then answered()
///     compute: run compute(), then computed(value) or compute_threw()
///     wait:    sleep delay(), then waited()
///     done:    take_found() (empty: the value is the one computed here)
///
/// The lock is taken in the cluster, so that across processes one caller
/// computes: with memcached's meta protocol (`mg N<lease>`: the first miss
/// wins, the others see Z; a stale item gives its value with X), or, where
/// a server refused meta commands, `add` of a lock key with the lease as
/// its ttl. The value is written back only if nothing newer arrived (`ms
/// C<cas>`, or `add`). Any failure to reach the cluster ends in computing
/// the value here, without storing it. Neither copyable nor movable:
/// commands refer to its members.
class GetOrSetFlow {
 public:
  enum class Step { run, compute, wait, done };

  /// Checks the key (KeyError). `topology` outlives the flow.
  GetOrSetFlow(const Key& key, Expiry time, const Options& options, const Topology& topology);
  GetOrSetFlow(const GetOrSetFlow&) = delete;
  GetOrSetFlow& operator=(const GetOrSetFlow&) = delete;

  Step step() const { return step_; }
  Command& command() { return *command_; }
  void answered();
  void computed(Encoded value);
  /// compute() threw: the lock is released (Step::run) so that another
  /// caller may compute, then the flow is done.
  void compute_threw();
  std::chrono::milliseconds delay() const { return delay_; }
  void waited();

  /// The cached value (or the stale one) when done without computing.
  std::optional<Value> take_found() { return std::move(found_); }
  /// A stale value this caller found and is recomputing: others may be
  /// answered with it now. Empty otherwise.
  const std::optional<Value>& stale() const { return stale_; }
  /// The lock key used where a server lacks the meta protocol.
  static std::string lock_key(std::string_view key, std::size_t max_key_length);

 private:
  void lookup();
  void meta_looked_up();
  void release();
  void take_lock();
  void unlock();
  void compute_unstored();
  void poll_later();
  void finish() { step_ = Step::done; }
  template <class Cmd, class... Args>
  void send(std::optional<Cmd>& slot, Args&&... args);

  enum class Stage { lookup, lock, recheck, store, unlock };

  std::string key_text_;
  std::string lock_text_;
  Key key_;
  Key lock_;
  Expiry time_;
  const Options& options_;
  const Topology& topology_;
  Stage stage_ = Stage::lookup;
  Step step_ = Step::run;
  Command* command_ = nullptr;
  bool meta_ = false;      // the lease is meta's (mg N), else the add lock
  std::uint64_t cas_ = 0;  // meta: the cas the win came with
  bool won_ = false;       // this caller holds the lock and computes
  bool store_ = false;     // ... and writes the value back
  bool threw_ = false;     // compute() threw: unlock, then done
  std::chrono::milliseconds delay_{0};
  std::chrono::milliseconds waited_{0};
  std::optional<Value> found_;
  std::optional<Value> stale_;
  std::optional<Encoded> value_;
  Encoded lock_value_ = Encoded::view("1", 0);
  CasCache no_cas_;
  std::optional<GetCommand> get_;
  std::optional<StoreCommand> store_command_;
  std::optional<LineCommand> line_;
  std::optional<MetaKeyCommand> meta_command_;
};

/// invalidate's decisions for both clients: `md <key> I T<lease>` (mark
/// stale), or `delete` where the server lacks meta commands (or with
/// StampedeLock::add). Step::run until done; existed() then.
class InvalidateFlow {
 public:
  using Step = GetOrSetFlow::Step;
  InvalidateFlow(const Key& key, const Options& options, const Topology& topology);
  InvalidateFlow(const InvalidateFlow&) = delete;
  InvalidateFlow& operator=(const InvalidateFlow&) = delete;

  Step step() const { return step_; }
  Command& command() { return *command_; }
  void answered();
  /// The key was there (and is now stale, or deleted).
  bool existed() const { return existed_; }
  /// Why the last request got no answer (no_server, timed_out, ...).
  std::error_code error() const { return error_; }

 private:
  void remove();

  const Options& options_;
  const Topology& topology_;
  Step step_ = Step::run;
  Command* command_ = nullptr;
  bool existed_ = false;
  std::error_code error_;
  std::optional<MetaKeyCommand> meta_;
  std::optional<LineCommand> del_;
  Key key_;
};

/// Whether get_or_set / invalidate speak meta to the server of `key`.
bool meta_for(const Key& key, const Options& options, const Topology& topology);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_COMMANDS_GET_OR_SET_HPP
