#ifndef MEMCACHE_DETAIL_LISTS_HPP
#define MEMCACHE_DETAIL_LISTS_HPP

#include <cstddef>
#include <deque>
#include <utility>

#include <memcache/key.hpp>
#include <memcache/value.hpp>

namespace memcache::detail {

// A multi-key call's lists are deques rather than vectors: their blocks (512
// bytes) stay under glibc malloc's large-request size (1 KiB), and the first
// large request of a call consolidates every small chunk freed since (all of
// the previous result's strings), which then makes each of this call's small
// allocations slow: about a quarter of a 100-key get_multi.

/// The keys of a multi-key call, as the caller gave them.
using KeyList = std::deque<Key>;
/// Values found, by index into the call's KeyList.
using FoundList = std::deque<std::pair<std::size_t, Value>>;

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_LISTS_HPP
