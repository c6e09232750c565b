// libmemcached (the C API) under the workload, as its users configure it for
// failover: timeouts as ours, a server that fails is ejected for dead_retry
// and its keys go to the others. One memcached_st per thread.
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <libmemcached/memcached.h>

#include "threads.hpp"

namespace netfaults {
namespace {

struct Free {
  void operator()(memcached_st* mc) const { memcached_free(mc); }
};
using Handle = std::unique_ptr<memcached_st, Free>;

Handle connect(const Settings& settings) {
  Handle mc(memcached_create(nullptr));
  if (!mc) throw std::runtime_error("libmemcached: out of memory");
  for (const auto& spec : settings.servers) {
    const auto colon = spec.rfind(':');
    const auto port = static_cast<in_port_t>(std::stoi(spec.substr(colon + 1)));
    if (memcached_server_add(mc.get(), spec.substr(0, colon).c_str(), port) != MEMCACHED_SUCCESS) {
      throw std::runtime_error("libmemcached: cannot add " + spec);
    }
  }
  const auto ms = [](auto d) { return static_cast<uint64_t>(std::chrono::milliseconds(d).count()); };
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, ms(settings.connect_timeout));
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_POLL_TIMEOUT, ms(settings.socket_timeout));
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_RCV_TIMEOUT, ms(settings.socket_timeout) * 1000);
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_SND_TIMEOUT, ms(settings.socket_timeout) * 1000);
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_RETRY_TIMEOUT,
                         static_cast<uint64_t>(settings.dead_retry.count()));
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_DEAD_TIMEOUT, static_cast<uint64_t>(settings.dead_retry.count()));
  // The usual failover recipe: consistent hashing, a server removed at its
  // first failure (its keys go to the others), retried after RETRY_TIMEOUT.
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1);
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
  memcached_behavior_set(mc.get(), MEMCACHED_BEHAVIOR_REMOVE_FAILED_SERVERS, 1);
  return mc;
}

void store(memcached_st* mc, const std::string& key, Tally& tally) {
  const auto began = Clock::now();
  const std::string value = value_for(key);
  const auto rc = memcached_set(mc, key.data(), key.size(), value.data(), value.size(), 0, 0);
  tally.add(began, rc == MEMCACHED_SUCCESS ? Outcome::ok : Outcome::failed, key);
}

Outcome fetch(memcached_st* mc, const std::string& key) {
  std::size_t length = 0;
  uint32_t flags = 0;
  memcached_return_t rc = MEMCACHED_SUCCESS;
  char* raw = memcached_get(mc, key.data(), key.size(), &length, &flags, &rc);
  if (raw == nullptr) return rc == MEMCACHED_NOTFOUND ? Outcome::miss : Outcome::failed;
  const std::string got(raw, length);
  std::free(raw);  // NOLINT(cppcoreguidelines-no-malloc): libmemcached's allocation
  return judge(key, got);
}

/// memcached_mget, then every result it fetches; an error other than a
/// miss marks the call failed (the keys that came back still count).
MultiReply fetch_multi(memcached_st* mc, const std::vector<std::string>& keys) {
  std::vector<const char*> pointers;
  std::vector<std::size_t> lengths;
  for (const auto& key : keys) {
    pointers.push_back(key.data());
    lengths.push_back(key.size());
  }
  MultiReply reply;
  memcached_return_t rc = memcached_mget(mc, pointers.data(), lengths.data(), keys.size());
  if (rc != MEMCACHED_SUCCESS) reply.failed = true;
  memcached_result_st* result = nullptr;
  while ((result = memcached_fetch_result(mc, nullptr, &rc)) != nullptr) {
    reply.found.emplace(std::string(memcached_result_key_value(result), memcached_result_key_length(result)),
                        std::string(memcached_result_value(result), memcached_result_length(result)));
    memcached_result_free(result);
  }
  if (rc != MEMCACHED_END && rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND) reply.failed = true;
  return reply;
}

}  // namespace

void seed_libmemcached(const Settings& settings, const std::vector<std::string>& keys) {
  const Handle mc = connect(settings);
  for (const auto& key : keys) {
    const std::string value = value_for(key);
    memcached_set(mc.get(), key.data(), key.size(), value.data(), value.size(), 0, 0);
  }
}

Tallies run_libmemcached(const Settings& settings, const std::vector<std::vector<std::string>>& homes,
                         Clock::time_point start) {
  return run_in_threads(
      settings, homes, start,
      [&settings] {
        return [mc = std::shared_ptr<memcached_st>(connect(settings).release(), Free{})](const std::string& key,
                                                                                         bool plain_set, Tally& tally) {
          if (plain_set) return store(mc.get(), key, tally);
          const auto began = Clock::now();
          const Outcome outcome = fetch(mc.get(), key);
          tally.add(began, outcome, key);
          if (outcome == Outcome::miss) store(mc.get(), key, tally);
        };
      },
      [&settings] {
        return [mc = std::shared_ptr<memcached_st>(connect(settings).release(), Free{})](
                   const std::vector<std::string>& keys) { return fetch_multi(mc.get(), keys); };
      });
}

}  // namespace netfaults
