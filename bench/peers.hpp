#ifndef MEMCACHE_BENCH_PEERS_HPP
#define MEMCACHE_BENCH_PEERS_HPP

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/options.hpp>

#include "peer.hpp"

namespace memcache::bench {

/// The clients the benchmarks compare, in the order they are reported.
enum class PeerKind { memcache, libmemcached, raw_socket };

/// A fresh client of that kind on `specs` (the raw socket takes the first).
std::unique_ptr<Peer> make_peer(PeerKind kind, const std::vector<std::string>& specs);
/// The wire protocol of the memcache peers made from now on (`--protocol`).
void set_memcache_protocol(Protocol protocol);
Protocol memcache_protocol();
/// "memcache", "libmemcached" or "raw", as the command line spells them.
std::string_view peer_kind_name(PeerKind kind);
/// The kind `peer_kind_name` names; empty for anything else.
std::optional<PeerKind> parse_peer_kind(std::string_view name);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_PEERS_HPP
