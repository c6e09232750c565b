#ifndef MEMCACHE_SRC_PROTOCOL_META_REQUESTS_HPP
#define MEMCACHE_SRC_PROTOCOL_META_REQUESTS_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memcache::detail::protocol {

// Encoders for memcached 1.6's meta protocol (doc/protocol.txt, "Meta
// Commands"). Each appends one complete request to `out`, always with an
// opaque token `O<opaque>` that the reply echoes (checked by MetaCheck,
// protocol/meta_operations). Keys are assumed already checked (no spaces or
// control characters, at most 250 bytes), so they go as they are, not base64.

/// Opaque tokens for `count` requests: the first of `count` consecutive ones.
/// Process-wide and wrapping, so requests in flight on one connection never
/// share a token.
std::uint32_t next_opaque(std::uint32_t count = 1);

/// What an `mg` asks for and does.
struct MetaGet {
  bool value = true;                    // v: the value (VA); without it HD
  bool client_flags = true;             // f
  bool key = true;                      // k: the key, checked against the request's
  bool cas = false;                     // c
  bool ttl = false;                     // t: seconds left (-1: never expires)
  bool size = false;                    // s
  bool quiet = false;                   // q: no EN for a miss (end a quiet batch with `mn`)
  std::optional<std::int64_t> touch;    // T<ttl>: also sets the expiry (gat)
  std::optional<std::int64_t> vivify;   // N<ttl>: a miss creates an empty item and wins (W)
  std::optional<std::int64_t> recache;  // R<ttl>: win (W) when the ttl left is below this
};

/// `mg <key> <flags>* O<opaque>\r\n`
void encode_meta_get(std::string& out, std::string_view key, const MetaGet& get, std::uint32_t opaque);

/// `ms`'s modes (M flag).
enum class MetaMode : char { set = 'S', add = 'E', replace = 'R', append = 'A', prepend = 'P' };

/// What an `ms` stores and how.
struct MetaSet {
  MetaMode mode = MetaMode::set;
  std::uint32_t client_flags = 0;    // F
  std::int64_t ttl = 0;              // T
  std::optional<std::uint64_t> cas;  // C: store only if the cas unique matches (EX otherwise)
  bool invalidate = false;           // I: with C, a cas older than the item's marks it stale instead
  bool quiet = false;                // q: no HD on success
};

/// `ms <key> <size> <flags>* O<opaque>\r\n<data>\r\n`
void encode_meta_set(std::string& out, std::string_view key, std::string_view data, const MetaSet& set,
                     std::uint32_t opaque);

/// What an `md` does.
struct MetaDelete {
  bool invalidate = false;           // I: mark stale instead of removing (with T)
  std::optional<std::int64_t> ttl;   // T: with I, the stale item's new ttl
  std::optional<std::uint64_t> cas;  // C
  bool quiet = false;                // q: no HD on success
};

/// `md <key> <flags>* O<opaque>\r\n`
void encode_meta_delete(std::string& out, std::string_view key, const MetaDelete& del, std::uint32_t opaque);

/// What an `ma` does.
struct MetaArith {
  bool incr = true;                    // MI / MD (decr floors at 0)
  std::uint64_t delta = 1;             // D
  bool value = true;                   // v: the new value (VA)
  std::optional<std::int64_t> vivify;  // N<ttl>: a miss creates the item with `initial`
  std::uint64_t initial = 0;           // J
  bool quiet = false;                  // q
};

/// `ma <key> <flags>* O<opaque>\r\n`
void encode_meta_arith(std::string& out, std::string_view key, const MetaArith& arith, std::uint32_t opaque);

/// `mn\r\n`: answered `MN` once every request before it was answered; ends a
/// batch of quiet requests.
void encode_meta_noop(std::string& out);

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_META_REQUESTS_HPP
