#include "libmemcached_peer.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace memcache::bench {

LibmemcachedPeer::LibmemcachedPeer(const std::vector<std::string>& specs)
    : LibmemcachedPeer(Handle(memcached_create(nullptr))) {
  std::string list;
  for (const auto& spec : specs) list += (list.empty() ? "" : ",") + spec;
  memcached_server_st* servers = memcached_servers_parse(list.c_str());
  memcached_return_t rc = memcached_server_push(mc_.get(), servers);
  memcached_server_list_free(servers);
  if (rc != MEMCACHED_SUCCESS) throw std::runtime_error("libmemcached: cannot add servers " + list);
  memcached_behavior_set(mc_.get(), MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
  // Other settings a user might choose, to compare (docs/performance.md):
  // MEMCACHE_BENCH_LIBMEMCACHED="no_block,binary,no_tcp_nodelay".
  if (const char* extra = std::getenv("MEMCACHE_BENCH_LIBMEMCACHED")) {
    const std::string_view chosen = extra;
    auto has = [&](std::string_view word) { return chosen.find(word) != std::string_view::npos; };
    if (has("no_tcp_nodelay")) memcached_behavior_set(mc_.get(), MEMCACHED_BEHAVIOR_TCP_NODELAY, 0);
    if (has("no_block")) memcached_behavior_set(mc_.get(), MEMCACHED_BEHAVIOR_NO_BLOCK, 1);
    if (has("binary")) memcached_behavior_set(mc_.get(), MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, 1);
  }
}

LibmemcachedPeer::LibmemcachedPeer(Handle handle) : mc_(std::move(handle)) {
  if (!mc_ || !memcached_result_create(mc_.get(), &result_)) throw std::runtime_error("libmemcached: out of memory");
}

LibmemcachedPeer::~LibmemcachedPeer() { memcached_result_free(&result_); }

bool LibmemcachedPeer::set(const std::string& key, std::string_view value, std::size_t /*min_compress_len*/) {
  return memcached_set(mc_.get(), key.data(), key.size(), value.data(), value.size(), 0, 0) == MEMCACHED_SUCCESS;
}

std::optional<std::size_t> LibmemcachedPeer::get(const std::string& key) {
  std::size_t length = 0;
  std::uint32_t flags = 0;
  memcached_return_t rc;
  char* value = memcached_get(mc_.get(), key.data(), key.size(), &length, &flags, &rc);
  if (value == nullptr) return std::nullopt;
  std::free(value);
  return length;
}

std::size_t LibmemcachedPeer::get_multi(const std::vector<std::string>& keys) {
  key_ptrs_.clear();
  key_lengths_.clear();
  for (const auto& key : keys) {
    key_ptrs_.push_back(key.data());
    key_lengths_.push_back(key.size());
  }
  if (memcached_mget(mc_.get(), key_ptrs_.data(), key_lengths_.data(), keys.size()) != MEMCACHED_SUCCESS) return 0;
  std::size_t found = 0;
  memcached_return_t rc;
  while (memcached_fetch_result(mc_.get(), &result_, &rc) != nullptr) ++found;
  return found;
}

std::size_t LibmemcachedPeer::set_multi(const Items& items) {
  std::size_t failed = 0;
  for (const auto& [key, value] : items) {
    if (!set(key, value, 0)) ++failed;
  }
  return failed;
}

std::unique_ptr<Peer> LibmemcachedPeer::for_thread() {
  return std::make_unique<LibmemcachedPeer>(Handle(memcached_clone(nullptr, mc_.get())));
}

}  // namespace memcache::bench
