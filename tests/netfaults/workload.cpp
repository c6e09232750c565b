#include "workload.hpp"

#include <string_view>
#include <unordered_map>

#include <zlib.h>

#include <memcache/memcache.hpp>

namespace netfaults {

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
  memcache::Options options;
  options.socket_timeout = settings.socket_timeout;
  options.connect_timeout = settings.connect_timeout;
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

}  // namespace netfaults
