#include "protocol/reply_parser.hpp"

#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

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

ParseResult parse_value(std::string_view input, std::size_t line_end, std::string_view line, Reply& out,
                        std::size_t max_value) {
  std::string_view rest = line.substr(6);  // after "VALUE "
  std::string_view key = next_token(rest);
  std::size_t length = 0;
  if (key.empty() || !take_number(rest, out.flags) || !take_number(rest, length)) {
    garbage("a malformed VALUE line", line);
  }
  std::string_view cas = next_token(rest);
  if (!rest.empty()) garbage("a malformed VALUE line", line);
  out.has_cas = !cas.empty();
  if (out.has_cas && !to_number(cas, out.cas)) garbage("a malformed cas unique", line);
  const std::size_t header = line_end + 2;
  if (max_value != 0 && length > max_value) {
    // Too long to buffer, but a value memcached can hold: its bytes are
    // skipped as they arrive, and only its own key fails.
    if (length > max_item_size) garbage(fmt::format("a value of {} bytes, over 1 GiB", length), line);
    out.type = ReplyType::oversized_value;
    out.key = key;
    out.number = length;
    return {header, 0, length + 2};
  }
  if (length > std::numeric_limits<std::size_t>::max() - header - 2) garbage("a value length out of range", line);
  const std::size_t total = header + length + 2;
  if (input.size() < total) return {0, total};
  if (input[header + length] != '\r' || input[header + length + 1] != '\n') {
    garbage("a value not followed by \\r\\n", line);
  }
  out.type = ReplyType::value;
  out.key = key;
  out.data = input.substr(header, length);
  return {total, 0};
}

}  // namespace

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
  out = Reply{};

  if (starts_with(line, "VALUE ")) return parse_value(input, line_end, line, out, max_value);
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
