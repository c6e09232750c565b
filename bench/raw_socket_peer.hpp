#ifndef MEMCACHE_BENCH_RAW_SOCKET_PEER_HPP
#define MEMCACHE_BENCH_RAW_SOCKET_PEER_HPP

#include <string>
#include <vector>

#include "peer.hpp"

namespace memcache::bench {

/// The floor for single-key calls: one blocking TCP socket that sends the
/// request and reads until the reply ends, nothing else (no parsing beyond
/// finding the end, no copy out, no checks). It speaks get and set only.
class RawSocketPeer final : public Peer {
 public:
  /// `spec` is "host:port" with a numeric IPv4 host.
  explicit RawSocketPeer(const std::string& spec);
  ~RawSocketPeer() override;
  RawSocketPeer(const RawSocketPeer&) = delete;
  RawSocketPeer& operator=(const RawSocketPeer&) = delete;

  std::string name() const override { return "raw socket"; }
  bool set(const std::string& key, std::string_view value, std::size_t min_compress_len) override;
  std::optional<std::size_t> get(const std::string& key) override;
  /// Not a floor for anything measured: these throw std::logic_error.
  std::size_t get_multi(const std::vector<std::string>& keys) override;
  std::size_t set_multi(const Items& items) override;
  std::unique_ptr<Peer> for_thread() override;

 private:
  /// Sends `request_`, then reads until the reply ends with `terminator`
  /// (values must not contain "\r\n" followed by it). Returns the reply size.
  std::size_t round_trip(std::string_view terminator);

  int fd_ = -1;
  std::string request_;
  std::vector<char> reply_;
};

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_RAW_SOCKET_PEER_HPP
