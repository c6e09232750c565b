#ifndef MEMCACHE_BENCH_LIBMEMCACHED_PEER_HPP
#define MEMCACHE_BENCH_LIBMEMCACHED_PEER_HPP

#include <memory>
#include <string>
#include <vector>

#include <libmemcached/memcached.h>

#include "peer.hpp"

namespace memcache::bench {

/// libmemcached with its default behaviours plus TCP_NODELAY. A handle is not
/// thread-safe, so each thread gets a clone.
class LibmemcachedPeer final : public Peer {
 public:
  struct Free {
    void operator()(memcached_st* mc) const { memcached_free(mc); }
  };
  using Handle = std::unique_ptr<memcached_st, Free>;

  explicit LibmemcachedPeer(const std::vector<std::string>& specs);
  explicit LibmemcachedPeer(Handle handle);
  ~LibmemcachedPeer() override;
  LibmemcachedPeer(const LibmemcachedPeer&) = delete;
  LibmemcachedPeer& operator=(const LibmemcachedPeer&) = delete;

  std::string name() const override { return "libmemcached"; }
  /// libmemcached does not compress: `min_compress_len` is ignored.
  bool set(const std::string& key, std::string_view value, std::size_t min_compress_len) override;
  std::optional<std::size_t> get(const std::string& key) override;
  /// memcached_mget, then memcached_fetch_result into one reused result.
  std::size_t get_multi(const std::vector<std::string>& keys) override;
  /// One memcached_set after another: libmemcached has no multi-set, and this
  /// is what its users write with the default (blocking) behaviours.
  std::size_t set_multi(const Items& items) override;
  std::unique_ptr<Peer> for_thread() override;

 private:
  Handle mc_;
  // Caller-owned: memcached_fetch_result frees a result it allocated itself
  // (memcached_result_create with no memory) when the fetch ends.
  memcached_result_st result_{};
  std::vector<const char*> key_ptrs_;
  std::vector<std::size_t> key_lengths_;
};

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_LIBMEMCACHED_PEER_HPP
