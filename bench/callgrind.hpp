#ifndef MEMCACHE_BENCH_CALLGRIND_HPP
#define MEMCACHE_BENCH_CALLGRIND_HPP

#include <cstddef>
#include <string>

#include "peers.hpp"

namespace memcache::bench {

/// The `--callgrind-get` mode, meant to run under
/// `valgrind --tool=callgrind --collect-atstart=no`: `gets` sequential gets of
/// a 100 B value (the get_100B workload), with collection on around them only,
/// so start-up, connecting and storing the keys are not counted. memcached is
/// another process and is never counted.
void callgrind_get_loop(PeerKind kind, const std::string& server, std::size_t gets);

/// Runs this program's `--callgrind-get` mode under callgrind and returns the
/// client's instructions per get. Throws std::runtime_error when valgrind is
/// missing or the run fails.
double instructions_per_get(PeerKind kind, const std::string& server, std::size_t gets);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_CALLGRIND_HPP
