#include "memcache_peer.hpp"

namespace memcache::bench {

MemcachePeer::MemcachePeer(const std::vector<std::string>& specs)
    : client_(std::make_shared<Client>(std::vector<Server>(specs.begin(), specs.end()))) {}

bool MemcachePeer::set(const std::string& key, std::string_view value, std::size_t min_compress_len) {
  return client_->set(key, value, {}, min_compress_len);
}

std::optional<std::size_t> MemcachePeer::get(const std::string& key) {
  auto value = client_->get(key);
  if (!value) return std::nullopt;
  return value->size();
}

std::size_t MemcachePeer::get_multi(const std::vector<std::string>& keys) { return client_->get_multi(keys).size(); }

std::size_t MemcachePeer::get_multi_fast(const std::vector<std::string>& keys, std::size_t value_size) {
  std::size_t right_size = 0;
  client_->get_multi_each(keys, [&](std::string_view, Value::View v) { right_size += v.bytes.size() == value_size; });
  return right_size;
}

std::size_t MemcachePeer::set_multi(const Items& items) { return client_->set_multi(items).size(); }

std::unique_ptr<Peer> MemcachePeer::for_thread() { return std::make_unique<MemcachePeer>(client_); }

}  // namespace memcache::bench
