#include "workload.hpp"

#include <string_view>
#include <unordered_map>

#include <zlib.h>

#include <memcache/memcache.hpp>

namespace netfaults {

memcache::Options options_for(const Settings& settings) {
  memcache::Options options;
  options.socket_timeout = settings.socket_timeout;
  options.connect_timeout = settings.connect_timeout;
  options.dead_retry = settings.dead_retry;
  options.log = [](std::string_view) {};
  return options;
}

std::vector<memcache::Server> servers_of(const Settings& settings) {
  return {settings.servers.begin(), settings.servers.end()};
}

std::string value_for(const std::string& key) {
  const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(key.data()), static_cast<uInt>(key.size()));
  const std::size_t size = crc % 20 == 0 ? 20000 : 16 + crc % 2000;
  std::string value;
  value.reserve(size + key.size() + 1);
  while (value.size() < size) value.append(key).push_back('|');
  value.resize(size);
  return value;
}

std::vector<std::string> key_names(const Settings& settings) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < settings.keys; ++i) keys.push_back(settings.prefix + ":" + std::to_string(i));
  return keys;
}

std::vector<std::vector<std::string>> find_homes(const Settings& settings, const std::vector<std::string>& keys) {
  const memcache::Options options = options_for(settings);
  std::vector<std::vector<std::string>> homes(settings.servers.size());
  for (std::size_t s = 0; s < settings.servers.size(); ++s) {
    memcache::Client alone({settings.servers[s]}, options);
    const auto found = alone.get_multi(keys);
    for (const auto& key : keys) {
      const auto it = found.find(key);
      if (it != found.end() && it->second == value_for(key)) homes[s].push_back(key);
    }
  }
  return homes;
}

void tally_multi(const MultiStep& step, const MultiReply& reply, Clock::time_point began, Tally* tallies) {
  std::vector<Outcome> by_home;
  std::vector<const std::string*> example;
  for (std::size_t i = 0; i < step.keys.size(); ++i) {
    const std::size_t h = step.home[i];
    if (h >= by_home.size()) {
      by_home.resize(h + 1, Outcome::ok);
      example.resize(h + 1, nullptr);
    }
    const auto it = reply.found.find(step.keys[i]);
    Outcome outcome = Outcome::ok;
    if (it == reply.found.end()) {
      outcome = reply.failed ? Outcome::failed : Outcome::miss;
    } else if (it->second != value_for(step.keys[i])) {
      outcome = Outcome::wrong;
    }
    // wrong over failed over miss over ok
    auto rank = [](Outcome o) {
      return o == Outcome::wrong ? 3 : o == Outcome::failed ? 2 : o == Outcome::miss ? 1 : 0;
    };
    if (example[h] == nullptr || rank(outcome) > rank(by_home[h])) {
      by_home[h] = outcome;
      example[h] = &step.keys[i];
    }
  }
  bool timed = true;
  for (std::size_t h = 0; h < by_home.size(); ++h) {
    if (example[h] == nullptr) continue;
    tallies[h].add(began, by_home[h], *example[h], timed);
    timed = false;
  }
}

}  // namespace netfaults
