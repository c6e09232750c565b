#ifndef MEMCACHE_BENCH_PEER_HPP
#define MEMCACHE_BENCH_PEER_HPP

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace memcache::bench {

using Items = std::vector<std::pair<std::string, std::string>>;

/// One client under test, behind the few calls the workloads make, so that the
/// same workload body drives this library, libmemcached and the raw socket.
class Peer {
 public:
  virtual ~Peer() = default;

  virtual std::string name() const = 0;
  /// Stores `value`; a client that compresses does so above `min_compress_len`
  /// (0: never). True when stored.
  virtual bool set(const std::string& key, std::string_view value, std::size_t min_compress_len = 0) = 0;
  /// The length of the value read back, empty on a miss.
  virtual std::optional<std::size_t> get(const std::string& key) = 0;
  /// How many of `keys` were found, read in one request per server.
  virtual std::size_t get_multi(const std::vector<std::string>& keys) = 0;
  /// The same, by the client's fastest way to see every value (this
  /// library: get_multi_each, no map built); each value's size is checked.
  virtual std::size_t get_multi_fast(const std::vector<std::string>& keys, std::size_t value_size) {
    (void)value_size;
    return get_multi(keys);
  }
  /// How many of `items` were not stored.
  virtual std::size_t set_multi(const Items& items) = 0;
  /// A peer for another thread: the same client where it is thread-safe, a
  /// handle of its own where it is not.
  virtual std::unique_ptr<Peer> for_thread() = 0;
};

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_PEER_HPP
