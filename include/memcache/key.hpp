#ifndef MEMCACHE_KEY_HPP
#define MEMCACHE_KEY_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memcache {

/// A key as a call takes it: a string, optionally with an explicit server hash
/// (python-memcached's `(hash, key)` tuple), which places it on
/// `buckets[hash % len(buckets)]` instead of hashing the key.
///
///     mc.set({user_id, "user:42:profile"}, profile);   // same server as user_id
///
/// A Key only refers to the caller's string; it lives for one call.
struct Key {
  Key(const char* k) : text(k) {}
  Key(std::string_view k) : text(k) {}
  Key(const std::string& k) : text(k) {}
  Key(std::uint64_t server_hash, std::string_view k) : text(k), hash(server_hash) {}

  std::string_view text;
  std::optional<std::uint64_t> hash;
};

}  // namespace memcache

#endif  // MEMCACHE_KEY_HPP
