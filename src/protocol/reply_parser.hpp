#ifndef MEMCACHE_SRC_PROTOCOL_REPLY_PARSER_HPP
#define MEMCACHE_SRC_PROTOCOL_REPLY_PARSER_HPP

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace memcache::detail::protocol {

/// A reply that makes no sense. The connection it came from is out of step
/// and must be closed.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The server turned the connection away as it accepted it (memcached
/// `-c N`: "ERROR Too many open connections", then close), before reading
/// any request: nothing sent on it was processed, so it may be sent again on
/// another connection.
class TooManyConnections : public ProtocolError {
 public:
  using ProtocolError::ProtocolError;
};

enum class ReplyType {
  value,         // VALUE <key> <flags> <bytes> [<cas>]\r\n<data>\r\n
  end,           // END
  stored,        // STORED
  not_stored,    // NOT_STORED
  exists,        // EXISTS
  not_found,     // NOT_FOUND
  deleted,       // DELETED
  touched,       // TOUCHED
  ok,            // OK
  number,        // <digits>   (incr/decr)
  stat,          // STAT <name> <value>
  version,       // VERSION <text>
  error,         // ERROR
  client_error,  // CLIENT_ERROR <message>
  server_error,  // SERVER_ERROR <message>
  // VALUE whose <bytes> are over the read bound: its data is skipped as it
  // arrives, never kept (ParseResult::skip); `number` holds the length.
  oversized_value,
};

/// One parsed reply. Views point into the parser's input and are valid until
/// that input changes.
struct Reply {
  ReplyType type = ReplyType::end;
  std::string_view key;      // value
  std::uint32_t flags = 0;   // value
  std::uint64_t cas = 0;     // value, when has_cas
  bool has_cas = false;      // value
  std::string_view data;     // value: the bytes; stat: the value; version, errors: the text
  std::string_view name;     // stat
  std::uint64_t number = 0;  // number; oversized_value: its length
};

/// Outcome of one parse step.
struct ParseResult {
  std::size_t consumed = 0;  // bytes of one whole reply; 0 when more input is needed
  std::size_t needed = 0;    // when consumed == 0: total bytes the reply needs, if known (else 0)
  /// oversized_value: bytes after `consumed` that still belong to the reply
  /// (the data and its \r\n), for the caller to discard as they arrive.
  std::size_t skip = 0;
};

/// memcached's largest item (`-I` is at most 1 GiB): a longer value is a lie.
constexpr std::size_t max_item_size = std::size_t{1} << 30;

/// Parses one reply from the start of `input`, sans I/O. Throws
/// TooManyConnections for memcached's refusal of the connection, and
/// ProtocolError for bytes that are not a memcached reply, a line longer than
/// `max_line`, or a value announcing more than max_item_size bytes. A value
/// announcing more than `max_value` bytes (0: no limit) is an oversized_value
/// whose bytes are to be skipped, never buffered.
ParseResult parse_reply(std::string_view input, Reply& out, std::size_t max_value, std::size_t max_line = 8192);

}  // namespace memcache::detail::protocol

#endif  // MEMCACHE_SRC_PROTOCOL_REPLY_PARSER_HPP
