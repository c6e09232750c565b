#ifndef MEMCACHE_BENCH_PIPELINED_SOCKET_HPP
#define MEMCACHE_BENCH_PIPELINED_SOCKET_HPP

#include <cstddef>
#include <string>
#include <vector>

namespace memcache::bench {

/// The floor for a pipelined client: one blocking TCP socket that keeps
/// `window` gets in flight, sends as many new ones as replies came back (one
/// send per batch), and only counts `END\r\n` lines. No parsing, no values
/// handed anywhere. Returns gets per second over `gets` gets of `keys`.
double pipelined_socket_rate(const std::string& spec, const std::vector<std::string>& keys, std::size_t gets,
                             std::size_t window);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_PIPELINED_SOCKET_HPP
