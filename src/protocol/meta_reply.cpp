#include "protocol/meta_reply.hpp"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "support/escape.hpp"

namespace memcache::detail::protocol {
namespace {

[[noreturn]] void garbage(std::string_view what, std::string_view line) {
  throw ProtocolError(fmt::format("memcached sent {}: \"{}\"", what, escape(line, 80)));
}

struct Code {
  char text[3];
  ReplyType type;
};
constexpr Code codes[] = {
    {"VA", ReplyType::meta_value},     {"HD", ReplyType::meta_hit},        {"EN", ReplyType::meta_miss},
    {"NF", ReplyType::meta_not_found}, {"NS", ReplyType::meta_not_stored}, {"EX", ReplyType::meta_exists},
    {"MN", ReplyType::meta_noop},
};

const Code* find_code(std::string_view line) {
  if (line.size() < 2 || (line.size() > 2 && line[2] != ' ')) return nullptr;
  for (const Code& c : codes) {
    if (line[0] == c.text[0] && line[1] == c.text[1]) return &c;
  }
  return nullptr;
}

template <class Int>
bool to_number(std::string_view s, Int& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Calls f(letter, token) for each space-separated flag of `flags`.
template <class F>
void for_each_flag(std::string_view flags, F&& f) {
  while (!flags.empty()) {
    const std::size_t sp = flags.find(' ');
    const std::string_view flag = flags.substr(0, sp);
    flags = sp == std::string_view::npos ? std::string_view() : flags.substr(sp + 1);
    if (!flag.empty()) f(flag[0], flag.substr(1));
  }
}

template <class Int>
std::optional<Int> number_flag(char letter, std::string_view token, std::string_view flags) {
  Int n{};
  if (!to_number(token, n)) garbage(fmt::format("a malformed meta flag {}", letter), flags);
  return n;
}

}  // namespace

bool is_meta_reply(std::string_view line) { return find_code(line) != nullptr; }

ParseResult parse_meta_reply(std::string_view input, std::size_t line_end, std::string_view line, Reply& out,
                             std::size_t max_value) {
  const Code* code = find_code(line);
  if (code == nullptr) garbage("an unknown meta reply", line);
  std::string_view rest = line.size() > 3 ? line.substr(3) : std::string_view();
  std::size_t length = 0;
  if (code->type == ReplyType::meta_value) {
    const std::size_t sp = rest.find(' ');
    if (!to_number(rest.substr(0, sp), length)) garbage("a malformed VA line", line);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  out.meta_flags = rest;
  for_each_flag(rest, [&](char letter, std::string_view token) {
    switch (letter) {
      case 'O':
        out.opaque = token;
        break;
      case 'k':
        out.key = token;
        break;
      case 'f':
        if (!to_number(token, out.flags)) garbage("a malformed client flags token", line);
        break;
      case 'c':
        if (!to_number(token, out.cas)) garbage("a malformed cas token", line);
        out.has_cas = true;
        break;
      default:
        break;
    }
  });
  if (code->type != ReplyType::meta_value) {
    out.type = code->type;
    return {line_end + 2, 0};
  }
  // A VA over the read bound becomes an oversized_value (its opaque kept, for
  // MetaCheck), whose bytes the dispatcher skips.
  out.type = ReplyType::meta_value;
  return parse_data_block(input, line_end, line, length, max_value, out);
}

MetaFlags read_meta_flags(std::string_view flags) {
  MetaFlags m;
  for_each_flag(flags, [&](char letter, std::string_view token) {
    switch (letter) {
      case 'O':
        m.opaque = token;
        break;
      case 'k':
        m.key = token;
        break;
      case 'f':
        m.client_flags = number_flag<std::uint32_t>(letter, token, flags);
        break;
      case 'c':
        m.cas = number_flag<std::uint64_t>(letter, token, flags);
        break;
      case 't':
        m.ttl = number_flag<std::int64_t>(letter, token, flags);
        break;
      case 's':
        m.size = number_flag<std::uint64_t>(letter, token, flags);
        break;
      case 'l':
        m.last_access = number_flag<std::uint64_t>(letter, token, flags);
        break;
      case 'h':
        m.hit_before = token == "1";
        break;
      case 'W':
        m.win = true;
        break;
      case 'X':
        m.stale = true;
        break;
      case 'Z':
        m.won_already = true;
        break;
      default:
        break;
    }
  });
  return m;
}

}  // namespace memcache::detail::protocol
