#ifndef MEMCACHE_BENCH_TCP_CONNECT_HPP
#define MEMCACHE_BENCH_TCP_CONNECT_HPP

#include <string>

namespace memcache::bench {

/// A blocking TCP socket with TCP_NODELAY connected to `spec`, "host:port"
/// with a numeric IPv4 host, for the raw-socket floors. Throws
/// std::runtime_error naming `who` and the cause.
int tcp_connect(const std::string& spec, const std::string& who);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_TCP_CONNECT_HPP
