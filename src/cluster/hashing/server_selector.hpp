#ifndef MEMCACHE_SRC_CLUSTER_HASHING_SERVER_SELECTOR_HPP
#define MEMCACHE_SRC_CLUSTER_HASHING_SERVER_SELECTOR_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <memcache/detail/function_ref.hpp>
#include <memcache/options.hpp>

#include "cluster/address.hpp"
#include "cluster/hashing/ketama.hpp"

namespace memcache::detail {

/// Maps keys to servers (by index into the server list) with the configured
/// scheme, skipping servers the caller finds unusable. No I/O: "usable" is
/// the caller's question (python-memcached asks by trying to connect).
///
/// Ketama: while every server is usable, a key maps exactly as libmemcached's
/// weighted ketama maps it on the same list. When the key's server is not
/// usable, the walk goes on clockwise along the continuum to the next point
/// of a server not yet tried, asking `usable` once per distinct server, and
/// gives up (nullopt) when every server has been tried; servers whose weight
/// is too small for any point are tried last, in list order. This is not
/// libmemcached's auto-eject (which rebuilds the continuum without the dead
/// servers and so moves other keys too): here only the dead server's keys
/// move, and they spread over the remaining servers.
class ServerSelector {
 public:
  struct Entry {
    Address address;
    unsigned weight;
  };
  using Usable = FunctionRef<bool(std::size_t server)>;

  ServerSelector(const std::vector<Entry>& servers, Hashing hashing);

  /// The server for `key` (the key as sent, prefix included), or an explicit
  /// `hash`; nullopt when no usable server was found within python-memcached's
  /// 10 tries (python hashing) or on the whole continuum (ketama).
  /// With ketama an explicit hash selects the continuum point `hash % points`
  /// (then walks on from there), so small integers such as user ids spread
  /// over the servers in proportion to their weights; the mapping is stable
  /// for one server list, but not consistent across list changes.
  std::optional<std::size_t> pick(std::string_view key, std::optional<std::uint64_t> hash, Usable usable) const;

  /// The server `key` maps to when every server is usable.
  std::size_t first_choice(std::string_view key) const;

 private:
  std::optional<std::size_t> walk_continuum(std::size_t point, Usable usable) const;

  Hashing hashing_;
  std::size_t server_count_ = 0;
  bool only_server_ = false;          // one server with a bucket or point: every key maps to it
  std::vector<std::size_t> buckets_;  // python: each server `weight` times, in list order
  std::optional<Ketama> ketama_;      // ketama only
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_CLUSTER_HASHING_SERVER_SELECTOR_HPP
