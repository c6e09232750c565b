#ifndef MEMCACHE_SRC_PROTOCOL_REQUESTS_HPP
#define MEMCACHE_SRC_PROTOCOL_REQUESTS_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memcache::detail::protocol {

// Encoders for memcached's text protocol (doc/protocol.txt). Each appends one
// complete request to `out`; keys are assumed already checked.

/// `<cmd> <key> <flags> <exptime> <bytes> [<cas unique>] [noreply]\r\n<data>\r\n`
void encode_storage(std::string& out, std::string_view cmd, std::string_view key, std::uint32_t flags,
                    std::int64_t exptime, std::string_view data, std::optional<std::uint64_t> cas_unique, bool noreply);

/// `get <key>*\r\n` / `gets <key>*\r\n` of the `count` keys at `keys`.
void encode_retrieval(std::string& out, bool with_cas, const std::string_view* keys, std::size_t count);
/// The same for one key: `get <key>\r\n` / `gets <key>\r\n`.
void encode_retrieval(std::string& out, bool with_cas, std::string_view key);

/// `gat <exptime> <key>\r\n` / `gats <exptime> <key>\r\n`: a get that also
/// sets the expiry; answered like get / gets.
void encode_touch_retrieval(std::string& out, bool with_cas, std::int64_t exptime, std::string_view key);

/// `incr|decr <key> <delta> [noreply]\r\n`
void encode_arith(std::string& out, bool incr, std::string_view key, std::uint64_t delta, bool noreply);

/// `delete <key> [<time>] [noreply]\r\n` (time only when nonzero: memcached 1.6
/// accepts nothing else).
void encode_delete(std::string& out, std::string_view key, std::int64_t time, bool noreply);

/// `touch <key> <exptime> [noreply]\r\n`
void encode_touch(std::string& out, std::string_view key, std::int64_t exptime, bool noreply);

/// A bare command line: `stats [args]\r\n`, `flush_all\r\n`, `version\r\n`.
void encode_line(std::string& out, std::string_view line);

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_REQUESTS_HPP
