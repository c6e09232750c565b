// The netfaults workload, the same for every client: keys whose home server
// is known, values derived from the key (so a reply meant for another key or a
// truncated one is caught), and a cache-aside loop (get; on a miss, set; one
// call in ten a plain set) run by workers that each stay on one home server.
#ifndef MEMCACHE_NETFAULTS_WORKLOAD_HPP
#define MEMCACHE_NETFAULTS_WORKLOAD_HPP

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <memcache/options.hpp>
#include <memcache/server.hpp>

#include "tally.hpp"

namespace netfaults {

struct Settings {
  std::string client;                // sync, async, libmemcached
  std::vector<std::string> servers;  // host:port, three of them
  std::string prefix = "nf";         // key prefix, unique per run
  std::size_t keys = 600;
  std::size_t workers_per_server = 2;  // threads (sync, libmemcached) or call loops (async)
  double rate = 300;                   // steps per second per worker; 0: as fast as it can
  std::size_t multi_workers = 1;       // workers calling get_multi over all servers
  double multi_rate = 50;              // their get_multi calls per second each
  std::chrono::milliseconds socket_timeout{1000};
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::seconds dead_retry{2};
  std::chrono::milliseconds duration{10000};
};

/// Our clients' options and servers for the run (quiet: the run counts
/// failures itself).
memcache::Options options_for(const Settings& settings);
std::vector<memcache::Server> servers_of(const Settings& settings);

/// The value every key holds: the key repeated to a size derived from it
/// (16 B to 2 KB; one key in twenty 20 KB).
std::string value_for(const std::string& key);

/// The keys of the run, `prefix:i`.
std::vector<std::string> key_names(const Settings& settings);

/// Which server each key landed on after the client under test set them all:
/// asks each server alone. keys_by_home[s] are the keys server s holds.
std::vector<std::vector<std::string>> find_homes(const Settings& settings, const std::vector<std::string>& keys);

/// One step of a worker: what to do next with which key.
struct Step {
  const std::string* key;
  bool plain_set;  // else a get (and a set if it misses)
};

class Chooser {
 public:
  Chooser(const std::vector<std::string>& keys, unsigned seed) : keys_(&keys), rng_(seed) {}
  Step next() {
    std::uniform_int_distribution<std::size_t> pick(0, keys_->size() - 1);
    const std::string* key = &(*keys_)[pick(rng_)];
    return {key, pick(rng_) % 10 == 0};
  }

 private:
  const std::vector<std::string>* keys_;
  std::minstd_rand rng_;
};

/// When a worker's next step is due: `rate` steps a second, without bursts
/// to catch up after a stall (at most 100 ms of them). A paced workload
/// leaves CPU to spare, so a host's speed shows what the client does, not
/// what the other workers took from it.
class Pacer {
 public:
  Pacer(double rate, Clock::time_point start)
      : interval_(rate > 0 ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1 / rate))
                           : Clock::duration::zero()),
        due_(start) {}
  Clock::time_point next() {
    const auto now = Clock::now();
    due_ += interval_;
    if (due_ < now - std::chrono::milliseconds(100)) due_ = now;
    return due_;
  }

 private:
  Clock::duration interval_;
  Clock::time_point due_;
};

/// The keys of one get_multi: a few of each home server's.
struct MultiStep {
  std::vector<std::string> keys;
  std::vector<std::size_t> home;  // of each key
};

class MultiChooser {
 public:
  static constexpr std::size_t per_home = 3;
  MultiChooser(const std::vector<std::vector<std::string>>& homes, unsigned seed) : homes_(&homes), rng_(seed) {}
  MultiStep next() {
    MultiStep step;
    for (std::size_t h = 0; h < homes_->size(); ++h) {
      const auto& keys = (*homes_)[h];
      if (keys.empty()) continue;
      std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
      for (std::size_t i = 0; i < per_home; ++i) {
        step.keys.push_back(keys[pick(rng_)]);
        step.home.push_back(h);
      }
    }
    return step;
  }

 private:
  const std::vector<std::vector<std::string>>* homes_;
  std::minstd_rand rng_;
};

/// What a get_multi gave back: the values found, and whether the call failed.
struct MultiReply {
  std::unordered_map<std::string, std::string> found;
  bool failed = false;
};

/// Tallies one get_multi once per home server it asked, in `tallies[home]`:
/// ok when every key of that home came back right, wrong when one came back
/// with another value, else failed (the call failed) or miss. A fault on one
/// server must leave the other homes ok: a failure costs its own part only.
void tally_multi(const MultiStep& step, const MultiReply& reply, Clock::time_point began, Tally* tallies);

/// A get's outcome from what came back.
inline Outcome judge(const std::string& key, const std::optional<std::string>& got) {
  if (!got) return Outcome::miss;
  return *got == value_for(key) ? Outcome::ok : Outcome::wrong;
}

/// Result of one client's run: one merged tally per home server for the
/// single-key workers, then one per home server for the get_multi workers.
using Tallies = std::vector<Tally>;

// The loads, one per client; each sets every key first (`seed`), then runs
// the workers from `start` for settings.duration.
using SeedFunction = std::function<void(const std::vector<std::string>& keys)>;

Tallies run_sync(const Settings& settings, const std::vector<std::vector<std::string>>& homes, Clock::time_point start);
void seed_sync(const Settings& settings, const std::vector<std::string>& keys);
/// Call loops of run_async still waiting for a completion when it gave up.
extern std::size_t unfinished_calls;
Tallies run_async(const Settings& settings, const std::vector<std::vector<std::string>>& homes,
                  Clock::time_point start);
void seed_async(const Settings& settings, const std::vector<std::string>& keys);
Tallies run_libmemcached(const Settings& settings, const std::vector<std::vector<std::string>>& homes,
                         Clock::time_point start);
void seed_libmemcached(const Settings& settings, const std::vector<std::string>& keys);

}  // namespace netfaults

#endif  // MEMCACHE_NETFAULTS_WORKLOAD_HPP
