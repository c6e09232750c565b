#include "protocol/reply_parser.hpp"

#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "protocol/meta_reply.hpp"
#include "support/escape.hpp"

namespace memcache::detail::protocol {
namespace {

[[noreturn]] void garbage(std::string_view what, std::string_view line) {
  throw ProtocolError(fmt::format("memcached sent {}: \"{}\"", what, escape(line, 80)));
}

// Splits off the next space-separated token.
std::string_view next_token(std::string_view& rest) {
  auto sp = rest.find(' ');
  std::string_view tok = rest.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  return tok;
}

template <class Int>
bool to_number(std::string_view s, Int& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::memcmp(s.data(), p.data(), p.size()) == 0;
}

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Replies that are one fixed word.
struct Word {
  std::string_view text;
  ReplyType type;
};
constexpr Word words[] = {
    {"END", ReplyType::end},
    {"STORED", ReplyType::stored},
    {"NOT_STORED", ReplyType::not_stored},
    {"EXISTS", ReplyType::exists},
    {"NOT_FOUND", ReplyType::not_found},
    {"DELETED", ReplyType::deleted},
    {"TOUCHED", ReplyType::touched},
    {"OK", ReplyType::ok},
    {"ERROR", ReplyType::error},
};

// Reads the number token at the start of `rest` (digits up to a space or the
// end) and the space after it: next_token + to_number in one pass.
template <class Int>
bool take_number(std::string_view& rest, Int& out) {
  const char* first = rest.data();
  const char* last = first + rest.size();
  auto [end, ec] = std::from_chars(first, last, out);
  if (ec != std::errc() || end == first || (end != last && *end != ' ')) return false;
  rest.remove_prefix(static_cast<std::size_t>(end - first) + (end != last ? 1 : 0));
  return true;
}

// Reads the digits at `p` into `out` and moves `p` past them, when there are
// 1 to digits10 of them (too few to overflow). The digits must be followed
// by a non-digit, which a line's \r always is.
template <class Int>
bool read_short_number(const char*& p, Int& out) {
  const char* const first = p;
  Int n = 0;
  for (unsigned digit = 0; (digit = static_cast<unsigned char>(*p - '0')) <= 9; ++p)
    n = static_cast<Int>(n * 10 + digit);
  const auto digits = static_cast<std::size_t>(p - first);
  if (digits == 0 || digits > static_cast<std::size_t>(std::numeric_limits<Int>::digits10)) return false;
  out = n;
  return true;
}

// The VALUE line as memcached writes it, "VALUE <key> <flags> <bytes>[ <cas>]"
// with one space between fields and numbers of a plain width, read in one
// pass. False for any other line, which read_value_line then judges: every
// line taken here reads the same there, so this changes speed, not meaning.
// `line` is followed by its \r\n in memory.
bool read_plain_value_line(std::string_view line, Reply& out, std::size_t& length) {
  const char* const key = line.data() + 6;  // after "VALUE "
  const char* const end = line.data() + line.size();
  const auto* key_end = static_cast<const char*>(std::memchr(key, ' ', static_cast<std::size_t>(end - key)));
  if (key_end == nullptr || key_end == key) return false;
  const char* p = key_end + 1;
  std::uint32_t flags = 0;
  std::size_t bytes = 0;
  std::uint64_t cas = 0;
  if (!read_short_number(p, flags) || p == end || *p++ != ' ' || !read_short_number(p, bytes)) return false;
  const bool has_cas = p != end;
  if (has_cas && (*p++ != ' ' || !read_short_number(p, cas) || p != end)) return false;
  out.key = std::string_view(key, static_cast<std::size_t>(key_end - key));
  out.flags = flags;
  out.cas = cas;
  out.has_cas = has_cas;
  length = bytes;
  return true;
}

// Any VALUE line, by its tokens; throws for a malformed one.
void read_value_line(std::string_view line, Reply& out, std::size_t& length) {
  std::string_view rest = line.substr(6);  // after "VALUE "
  std::string_view key = next_token(rest);
  if (key.empty() || !take_number(rest, out.flags) || !take_number(rest, length)) {
    garbage("a malformed VALUE line", line);
  }
  std::string_view cas = next_token(rest);
  if (!rest.empty()) garbage("a malformed VALUE line", line);
  out.has_cas = !cas.empty();
  if (out.has_cas && !to_number(cas, out.cas)) garbage("a malformed cas unique", line);
  out.key = key;
}

// parse_data_block's body, here so that the compiler can put it inline in
// parse_value (a call per value otherwise).
ParseResult data_block(std::string_view input, std::size_t line_end, std::string_view line, std::size_t length,
                       std::size_t max_value, Reply& out) {
  const std::size_t header = line_end + 2;
  if (max_value != 0 && length > max_value) {
    // Too long to buffer, but a value memcached can hold: its bytes are
    // skipped as they arrive, and only its own key fails.
    if (length > max_item_size) garbage(fmt::format("a value of {} bytes, over 1 GiB", length), line);
    out.type = ReplyType::oversized_value;
    out.number = length;
    return {header, 0, length + 2};
  }
  if (length > std::numeric_limits<std::size_t>::max() - header - 2) garbage("a value length out of range", line);
  const std::size_t total = header + length + 2;
  if (input.size() < total) return {0, total};
  if (input[header + length] != '\r' || input[header + length + 1] != '\n') {
    garbage("a value not followed by \\r\\n", line);
  }
  out.data = std::string_view(input.data() + header, length);  // within input: total <= input.size()
  return {total, 0};
}

ParseResult parse_value(std::string_view input, std::size_t line_end, std::string_view line, Reply& out,
                        std::size_t max_value) {
  // The caller's Reply is reused reply after reply, and a VALUE sets every
  // field one way or another: the others are cleared one by one, cheaper
  // than clearing the whole Reply first (most replies are VALUEs).
  out.type = ReplyType::value;
  out.cas = 0;
  out.has_cas = false;
  out.data = {};
  out.name = {};
  out.number = 0;
  out.opaque = {};
  out.meta_flags = {};
  std::size_t length = 0;
  if (!read_plain_value_line(line, out, length)) read_value_line(line, out, length);
  return data_block(input, line_end, line, length, max_value, out);
}

}  // namespace

ParseResult parse_data_block(std::string_view input, std::size_t line_end, std::string_view line, std::size_t length,
                             std::size_t max_value, Reply& out) {
  return data_block(input, line_end, line, length, max_value, out);
}

ParseResult parse_reply(std::string_view input, Reply& out, std::size_t max_value, std::size_t max_line) {
  // The reply every get ends with, taken without searching for the line end.
  constexpr std::string_view end_line = "END\r\n";
  if (starts_with(input, end_line)) {
    out = Reply{};
    out.type = ReplyType::end;
    return {end_line.size(), 0};
  }
  const void* nl = std::memchr(input.data(), '\n', std::min(input.size(), max_line + 2));
  if (nl == nullptr) {
    if (input.size() > max_line + 1) garbage("a line that does not end", input);
    return {0, 0};
  }
  const auto newline = static_cast<std::size_t>(static_cast<const char*>(nl) - input.data());
  if (newline == 0 || input[newline - 1] != '\r') garbage("a line not ended by \\r\\n", input.substr(0, newline));
  const std::size_t line_end = newline - 1;
  const std::string_view line = input.substr(0, line_end);
  const std::size_t consumed = line_end + 2;
  // VALUE first: the reply there are most of (never a meta reply, whose
  // code is two letters).
  if (starts_with(line, "VALUE ")) return parse_value(input, line_end, line, out, max_value);
  out = Reply{};

  if (is_meta_reply(line)) return parse_meta_reply(input, line_end, line, out, max_value);
  for (const Word& w : words) {
    if (line == w.text) {
      out.type = w.type;
      return {consumed, 0};
    }
  }
  if (line == "ERROR Too many open connections") {
    throw TooManyConnections("memcached refused the connection: too many open connections");
  }
  if (starts_with(line, "STAT ")) {
    std::string_view rest = line.substr(5);
    out.type = ReplyType::stat;
    out.name = next_token(rest);
    out.data = rest;
    if (out.name.empty()) garbage("a STAT line without a name", line);
    return {consumed, 0};
  }
  if (starts_with(line, "CLIENT_ERROR")) {
    out.type = ReplyType::client_error;
    out.data = line.substr(std::min<std::size_t>(line.size(), 13));
    return {consumed, 0};
  }
  if (starts_with(line, "SERVER_ERROR")) {
    out.type = ReplyType::server_error;
    out.data = line.substr(std::min<std::size_t>(line.size(), 13));
    return {consumed, 0};
  }
  if (starts_with(line, "VERSION ")) {
    out.type = ReplyType::version;
    out.data = line.substr(8);
    return {consumed, 0};
  }
  // incr/decr: the new value. memcached never pads it, but older servers
  // did with trailing spaces, so accept and drop those.
  std::string_view digits = line;
  while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
  if (is_digits(digits)) {
    if (!to_number(digits, out.number)) garbage("a number out of range", line);
    out.type = ReplyType::number;
    return {consumed, 0};
  }
  garbage("an unknown reply", line);
}

}  // namespace memcache::detail::protocol
