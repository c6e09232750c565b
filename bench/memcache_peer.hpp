#ifndef MEMCACHE_BENCH_MEMCACHE_PEER_HPP
#define MEMCACHE_BENCH_MEMCACHE_PEER_HPP

#include <memory>
#include <string>
#include <vector>

#include <memcache/client.hpp>

#include "peer.hpp"

namespace memcache::bench {

/// This library: one `memcache::Client`, shared by every thread.
class MemcachePeer final : public Peer {
 public:
  explicit MemcachePeer(const std::vector<std::string>& specs);
  explicit MemcachePeer(std::shared_ptr<Client> client) : client_(std::move(client)) {}

  std::string name() const override { return "memcache"; }
  bool set(const std::string& key, std::string_view value, std::size_t min_compress_len) override;
  std::optional<std::size_t> get(const std::string& key) override;
  std::size_t get_multi(const std::vector<std::string>& keys) override;
  std::size_t get_multi_fast(const std::vector<std::string>& keys, std::size_t value_size) override;
  std::size_t set_multi(const Items& items) override;
  std::unique_ptr<Peer> for_thread() override;

 private:
  std::shared_ptr<Client> client_;
};

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_MEMCACHE_PEER_HPP
