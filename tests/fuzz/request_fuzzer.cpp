// libFuzzer target: key checking and request encoding.
//
// A key (with a prefix) that check_key lets through must come out of every
// encoder as exactly one token of exactly one request line: no \r, \n, space
// or control byte inside it, the line as memcached's protocol.txt spells it,
// and the data block (storage) right after it. check_key must accept exactly
// python-memcached's keys: not empty, not longer than the limit with the
// prefix, no byte in 0x00-0x20 or 0x7f.
//
// Input: [max_length] [flags x4] [exptime x8] [delta x8] [cas x8] [switches]
//        [prefix length] [key length] prefix, key, then the value bytes.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/error.hpp>

#include "commands/key_check.hpp"
#include "fuzz_check.hpp"
#include "protocol/requests.hpp"

namespace {

using namespace memcache::detail;

struct Reader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  bool ok = true;
  template <class Int>
  Int number() {
    Int v = 0;
    if (size - pos < sizeof v) {
      ok = false;
      return 0;
    }
    std::memcpy(&v, data + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string_view bytes(std::size_t n) {
    n = std::min(n, size - pos);
    std::string_view s(reinterpret_cast<const char*>(data) + pos, n);
    pos += n;
    return s;
  }
};

bool bad_byte(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c <= 0x20 || c == 0x7f;
}

// python-memcached's rule, written out independently of check_key.
bool valid(std::string_view prefix, std::string_view key, std::size_t max_length) {
  if (prefix.empty() && key.empty()) return false;
  if (max_length != 0 && prefix.size() + key.size() > max_length) return false;
  for (char c : prefix) {
    if (bad_byte(c)) return false;
  }
  for (char c : key) {
    if (bad_byte(c)) return false;
  }
  return true;
}

// As the client checks a key sent with a prefix: the prefix alone, then the key.
bool passes(std::string_view prefix, std::string_view key, std::size_t max_length) {
  try {
    if (!prefix.empty()) check_key(prefix, 0, max_length);
    check_key(key, prefix.size(), max_length);
    return true;
  } catch (const memcache::KeyError&) {
    return false;
  }
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t sp = line.find(' ', pos);
    out.push_back(line.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos));
    if (sp == std::string_view::npos) return out;
    pos = sp + 1;
  }
}

// The first line of `request`, which must end in its only \r\n (the data
// block, if any, follows it and is `data_size` bytes plus \r\n).
std::string_view request_line(const std::string& request, std::size_t data_size, bool has_data) {
  const std::size_t end = request.find("\r\n");
  FUZZ_CHECK(end != std::string::npos);
  const std::string_view line(request.data(), end);
  FUZZ_CHECK(line.find('\r') == std::string_view::npos);
  FUZZ_CHECK(line.find('\n') == std::string_view::npos);
  for (char c : line) FUZZ_CHECK(c == ' ' || !bad_byte(c));
  FUZZ_CHECK(request.size() == end + 2 + (has_data ? data_size + 2 : 0));
  if (has_data) FUZZ_CHECK(request.compare(request.size() - 2, 2, "\r\n") == 0);
  return line;
}

void check_tail(const std::vector<std::string_view>& tokens, std::size_t from, bool noreply) {
  FUZZ_CHECK(tokens.size() == from + (noreply ? 1 : 0));
  if (noreply) FUZZ_CHECK(tokens.back() == "noreply");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  const std::size_t max_length = in.number<std::uint8_t>() % 3 == 0 ? 0 : 250;
  const auto flags = in.number<std::uint32_t>();
  const auto exptime = in.number<std::int64_t>();
  const auto delta = in.number<std::uint64_t>();
  const auto cas = in.number<std::uint64_t>();
  const auto switches = in.number<std::uint8_t>();
  const std::size_t prefix_len = in.number<std::uint8_t>() % 64;
  const std::size_t key_len = in.number<std::uint16_t>() % 400;
  if (!in.ok) return 0;
  const std::string_view prefix = in.bytes(prefix_len);
  const std::string_view key = in.bytes(key_len);
  const std::string_view value = in.bytes(size);
  const bool noreply = (switches & 1) != 0;
  const std::optional<std::uint64_t> cas_unique = (switches & 2) ? std::optional<std::uint64_t>(cas) : std::nullopt;

  const bool ok = passes(prefix, key, max_length);
  FUZZ_CHECK(ok == valid(prefix, key, max_length));
  if (!ok) return 0;
  const std::string wire_key = std::string(prefix) + std::string(key);

  // Storage commands: "<cmd> <key> <flags> <exptime> <bytes> [<cas>] [noreply]".
  for (const char* cmd : {"set", "add", "replace", "append", "prepend", "cas"}) {
    std::string request;
    protocol::encode_storage(request, cmd, wire_key, flags, exptime, value, cas_unique, noreply);
    const auto tokens = split_spaces(request_line(request, value.size(), true));
    FUZZ_CHECK(tokens.size() >= 5);
    FUZZ_CHECK(tokens[0] == cmd);
    FUZZ_CHECK(tokens[1] == wire_key);
    FUZZ_CHECK(tokens[2] == std::to_string(flags));
    FUZZ_CHECK(tokens[3] == std::to_string(exptime));
    FUZZ_CHECK(tokens[4] == std::to_string(value.size()));
    std::size_t next = 5;
    if (cas_unique) FUZZ_CHECK(tokens[next++] == std::to_string(*cas_unique));
    check_tail(tokens, next, noreply);
    FUZZ_CHECK(request.compare(request.size() - 2 - value.size(), value.size(), value) == 0);
  }

  // Retrieval: "get <key>*" with the prefix put in front of each key.
  for (bool with_cas : {false, true}) {
    std::string request;
    const int copies = 1 + (switches >> 2) % 3;
    const std::string prefixed = std::string(prefix).append(key);
    const std::vector<std::string_view> keys(static_cast<std::size_t>(copies), prefixed);
    protocol::encode_retrieval(request, with_cas, keys.data(), keys.size());
    const auto tokens = split_spaces(request_line(request, 0, false));
    FUZZ_CHECK(tokens.size() == 1 + static_cast<std::size_t>(copies));
    FUZZ_CHECK(tokens[0] == (with_cas ? "gets" : "get"));
    for (std::size_t i = 1; i < tokens.size(); ++i) FUZZ_CHECK(tokens[i] == wire_key);
  }

  {
    std::string request;
    protocol::encode_arith(request, (switches & 4) != 0, wire_key, delta, noreply);
    const auto tokens = split_spaces(request_line(request, 0, false));
    FUZZ_CHECK(tokens.size() >= 3);
    FUZZ_CHECK(tokens[0] == ((switches & 4) ? "incr" : "decr"));
    FUZZ_CHECK(tokens[1] == wire_key);
    FUZZ_CHECK(tokens[2] == std::to_string(delta));
    check_tail(tokens, 3, noreply);
  }
  {
    std::string request;
    protocol::encode_delete(request, wire_key, exptime, noreply);
    const auto tokens = split_spaces(request_line(request, 0, false));
    FUZZ_CHECK(tokens.size() >= 2);
    FUZZ_CHECK(tokens[0] == "delete");
    FUZZ_CHECK(tokens[1] == wire_key);
    std::size_t next = 2;
    if (exptime != 0) FUZZ_CHECK(tokens[next++] == std::to_string(exptime));
    check_tail(tokens, next, noreply);
  }
  {
    std::string request;
    protocol::encode_touch(request, wire_key, exptime, noreply);
    const auto tokens = split_spaces(request_line(request, 0, false));
    FUZZ_CHECK(tokens.size() >= 3);
    FUZZ_CHECK(tokens[0] == "touch");
    FUZZ_CHECK(tokens[1] == wire_key);
    FUZZ_CHECK(tokens[2] == std::to_string(exptime));
    check_tail(tokens, 3, noreply);
  }
  return 0;
}
