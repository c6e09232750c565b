#ifndef MEMCACHE_SRC_PROTOCOL_META_REPLY_HPP
#define MEMCACHE_SRC_PROTOCOL_META_REPLY_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/reply_parser.hpp"

namespace memcache::detail::protocol {

// memcached 1.6's meta replies (doc/protocol.txt, "Meta Commands"): a
// two-letter code, then flags, each one letter and an optional token:
// `VA <size> <flags>*\r\n<data>\r\n`, `HD`, `EN`, `NF`, `NS`, `EX` with flags,
// and `MN`. parse_reply takes them beside the text protocol's replies, so one
// connection (and one Dispatcher) reads both.

/// True when `line` (a reply line without its \r\n) is a meta reply.
bool is_meta_reply(std::string_view line);

/// Parses the meta reply whose line is `line`, ending at `line_end` in
/// `input`; for VA, its data block too. Fills `out`: type, opaque,
/// meta_flags, and for VA data plus key (k), flags (f) and cas (c).
/// Throws ProtocolError for a malformed line.
ParseResult parse_meta_reply(std::string_view input, std::size_t line_end, std::string_view line, Reply& out,
                             std::size_t max_value);

/// The flags of a meta reply, read from Reply::meta_flags.
struct MetaFlags {
  std::string_view opaque;                    // O
  std::string_view key;                       // k
  std::optional<std::uint32_t> client_flags;  // f
  std::optional<std::uint64_t> cas;           // c
  std::optional<std::int64_t> ttl;            // t: seconds left, -1 for never
  std::optional<std::uint64_t> size;          // s
  std::optional<std::uint64_t> last_access;   // l: seconds since
  std::optional<bool> hit_before;             // h
  bool win = false;                           // W: this client should recompute the value
  bool stale = false;                         // X: the value is stale (invalidated)
  bool won_already = false;                   // Z: another client already won the recompute
};

/// Reads every flag of `flags` (Reply::meta_flags). Unknown flags are skipped;
/// a malformed number is a ProtocolError.
MetaFlags read_meta_flags(std::string_view flags);

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_META_REPLY_HPP
