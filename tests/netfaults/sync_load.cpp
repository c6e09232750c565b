// The sync memcache::Client under the workload: one Client shared by all the
// worker threads, as a threaded application would use it.
#include <exception>

#include <memcache/memcache.hpp>

#include "threads.hpp"

namespace netfaults {
namespace {

void store(memcache::Client& mc, const std::string& key, Tally& tally) {
  const auto began = Clock::now();
  Outcome outcome = Outcome::failed;
  try {
    if (mc.set(key, value_for(key))) outcome = Outcome::ok;
  } catch (const std::exception&) {
  }
  tally.add(began, outcome, key);
}

}  // namespace

void seed_sync(const Settings& settings, const std::vector<std::string>& keys) {
  memcache::Client mc(servers_of(settings), options_for(settings));
  for (const auto& key : keys) mc.set(key, value_for(key));
}

Tallies run_sync(const Settings& settings, const std::vector<std::vector<std::string>>& homes,
                 Clock::time_point start) {
  memcache::Client mc(servers_of(settings), options_for(settings));
  return run_in_threads(
      settings, homes, start,
      [&mc] {
        return [&mc](const std::string& key, bool plain_set, Tally& tally) {
          if (plain_set) return store(mc, key, tally);
          const auto began = Clock::now();
          Outcome outcome = Outcome::failed;
          try {
            outcome = judge(key, mc.get(key));
          } catch (const std::exception&) {
          }
          tally.add(began, outcome, key);
          if (outcome == Outcome::miss) store(mc, key, tally);
        };
      },
      [&mc] {
        return [&mc](const std::vector<std::string>& keys) {
          MultiReply reply;
          try {
            reply.found = mc.get_multi(keys);
          } catch (const std::exception&) {
            reply.failed = true;
          }
          return reply;
        };
      });
}

}  // namespace netfaults
