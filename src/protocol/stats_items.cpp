#include "protocol/stats_items.hpp"

namespace memcache::detail {

SlabsMap slabs_from_items(const std::vector<std::pair<std::string, std::string>>& stats) {
  SlabsMap slabs;
  for (const auto& [name, value] : stats) {
    auto first = name.find(':');
    if (first == std::string::npos) continue;
    auto second = name.find(':', first + 1);
    if (second == std::string::npos) continue;
    slabs[name.substr(first + 1, second - first - 1)][name.substr(second + 1)] = value;
  }
  return slabs;
}

}  // namespace memcache::detail
