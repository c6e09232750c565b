#include "peers.hpp"

#include "libmemcached_peer.hpp"
#include "memcache_peer.hpp"
#include "raw_socket_peer.hpp"

namespace memcache::bench {
namespace {
Protocol protocol_of_peers = Protocol::text;
}  // namespace

void set_memcache_protocol(Protocol protocol) { protocol_of_peers = protocol; }
Protocol memcache_protocol() { return protocol_of_peers; }

std::unique_ptr<Peer> make_peer(PeerKind kind, const std::vector<std::string>& specs) {
  switch (kind) {
    case PeerKind::memcache: {
      Options options;
      options.protocol = protocol_of_peers;
      return std::make_unique<MemcachePeer>(specs, options);
    }
    case PeerKind::libmemcached:
      return std::make_unique<LibmemcachedPeer>(specs);
    case PeerKind::raw_socket:
      return std::make_unique<RawSocketPeer>(specs.at(0));
  }
  return nullptr;
}

std::string_view peer_kind_name(PeerKind kind) {
  switch (kind) {
    case PeerKind::memcache:
      return "memcache";
    case PeerKind::libmemcached:
      return "libmemcached";
    case PeerKind::raw_socket:
      return "raw";
  }
  return "";
}

std::optional<PeerKind> parse_peer_kind(std::string_view name) {
  for (PeerKind kind : {PeerKind::memcache, PeerKind::libmemcached, PeerKind::raw_socket}) {
    if (name == peer_kind_name(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace memcache::bench
