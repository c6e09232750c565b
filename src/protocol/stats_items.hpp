#ifndef MEMCACHE_SRC_PROTOCOL_STATS_ITEMS_HPP
#define MEMCACHE_SRC_PROTOCOL_STATS_ITEMS_HPP

#include <string>
#include <utility>
#include <vector>

#include <memcache/client.hpp>

namespace memcache::detail {

/// `stats items` lines (`items:<slab>:<name> <value>`) grouped by slab id, as
/// python-memcached's get_slabs() does.
SlabsMap slabs_from_items(const std::vector<std::pair<std::string, std::string>>& stats);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_PROTOCOL_STATS_ITEMS_HPP
