#include "peer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <stdexcept>

#ifndef MEMCACHE_INTEROP_PYTHON
#define MEMCACHE_INTEROP_PYTHON "/usr/bin/python3"
#endif
#ifndef MEMCACHE_INTEROP_PEER
#error "MEMCACHE_INTEROP_PEER must name tests/interop/peer.py"
#endif

namespace memcache::interop {

// -- JSON ----------------------------------------------------------------------

namespace {

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  Json document() {
    Json j = value();
    skip_space();
    if (pos_ != in_.size()) fail("trailing characters");
    return j;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("peer JSON: ") + what + " at offset " + std::to_string(pos_));
  }
  void skip_space() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < in_.size() && in_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail("unexpected character");
  }
  bool eat_word(std::string_view w) {
    if (in_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      return true;
    }
    return false;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  std::uint32_t hex4() {
    if (pos_ + 4 > in_.size()) fail("short \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = in_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        fail("bad \\u escape");
      }
    }
    return v;
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (pos_ >= in_.size()) fail("unterminated string");
      char c = in_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= in_.size()) fail("unterminated escape");
      char e = in_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && eat_word("\\u")) {
            std::uint32_t low = hex4();
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          put_utf8(out, cp);
          break;
        }
        default:
          fail("bad escape");
      }
    }
  }

  Json value() {
    skip_space();
    if (pos_ >= in_.size()) fail("unexpected end");
    Json j;
    char c = in_[pos_];
    if (c == '{') {
      ++pos_;
      j.kind = Json::Kind::object;
      if (eat('}')) return j;
      do {
        skip_space();
        j.names.push_back(string());
        expect(':');
        j.items.push_back(value());
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++pos_;
      j.kind = Json::Kind::array;
      if (eat(']')) return j;
      do {
        j.items.push_back(value());
      } while (eat(','));
      expect(']');
    } else if (c == '"') {
      j.kind = Json::Kind::string;
      j.text = string();
    } else if (eat_word("true")) {
      j.kind = Json::Kind::boolean;
      j.boolean = true;
    } else if (eat_word("false")) {
      j.kind = Json::Kind::boolean;
    } else if (eat_word("null")) {
      j.kind = Json::Kind::null;
    } else {
      std::size_t start = pos_;
      while (pos_ < in_.size() && std::strchr("+-0123456789.eE", in_[pos_]) != nullptr) ++pos_;
      if (start == pos_) fail("unexpected character");
      j.kind = Json::Kind::number;
      j.text = std::string(in_.substr(start, pos_ - start));
    }
    return j;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

Json Json::parse(std::string_view in) { return Reader(in).document(); }

const Json& Json::operator[](std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return items[i];
  }
  throw std::runtime_error("peer JSON: no member \"" + std::string(name) + "\"");
}

const std::string& Json::str() const {
  if (kind != Kind::string) throw std::runtime_error("peer JSON: not a string");
  return text;
}

bool Json::as_bool() const {
  if (kind != Kind::boolean) throw std::runtime_error("peer JSON: not a boolean");
  return boolean;
}

long long Json::as_int() const {
  if (kind != Kind::number) throw std::runtime_error("peer JSON: not a number");
  return std::stoll(text);
}

// -- hex ------------------------------------------------------------------------

std::string to_hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0x0f];
  }
  return out;
}

std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("peer: bad hex digit");
  };
  if (hex.size() % 2 != 0) throw std::runtime_error("peer: odd hex length");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out += static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1]));
  }
  return out;
}

std::string quote(std::string_view ascii) {
  std::string out = "\"";
  for (char c : ascii) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// -- values -----------------------------------------------------------------------

std::string PyValue::to_json() const {
  if (type == "int") return "{\"type\":\"int\",\"int\":" + quote(bytes) + "}";
  return "{\"type\":" + quote(type) + ",\"hex\":" + quote(to_hex(bytes)) + "}";
}

PyValue PyValue::from_json(const Json& j) {
  PyValue v;
  v.type = j["type"].str();
  if (v.type == "int") {
    v.bytes = j["int"].str();
  } else if (v.type == "bytes" || v.type == "str") {
    v.bytes = from_hex(j["hex"].str());
    if (v.type == "str") v.chars = j["chars"].as_int();
  } else {
    v.bytes = j["repr"].str();
  }
  return v;
}

std::ostream& operator<<(std::ostream& os, const PyValue& v) {
  os << v.type << "(";
  if (v.bytes.size() > 64) {
    os << v.bytes.size() << " bytes";
  } else {
    os << quote(v.type == "int" ? v.bytes : to_hex(v.bytes));
  }
  return os << ")";
}

// -- ops ----------------------------------------------------------------------------

namespace op {
namespace {
std::string hex_list(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ',';
    out += quote(to_hex(keys[i]));
  }
  return out + "]";
}
}  // namespace

std::string info() { return R"({"op":"info"})"; }

std::string hash(std::string_view key) { return R"({"op":"hash","key":)" + quote(to_hex(key)) + "}"; }

std::string set(std::string_view key, const PyValue& value, std::size_t min_compress_len) {
  return R"({"op":"set","key":)" + quote(to_hex(key)) + ",\"value\":" + value.to_json() +
         ",\"min_compress_len\":" + std::to_string(min_compress_len) + "}";
}

std::string get(std::string_view key) { return R"({"op":"get","key":)" + quote(to_hex(key)) + "}"; }

std::string set_multi(const std::vector<std::pair<std::string, PyValue>>& items, std::string_view key_prefix,
                      std::size_t min_compress_len) {
  std::string out = R"({"op":"set_multi","key_prefix":)" + quote(to_hex(key_prefix)) +
                    ",\"min_compress_len\":" + std::to_string(min_compress_len) + ",\"items\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += "[" + quote(to_hex(items[i].first)) + "," + items[i].second.to_json() + "]";
  }
  return out + "]}";
}

std::string get_multi(const std::vector<std::string>& keys, std::string_view key_prefix) {
  return R"({"op":"get_multi","key_prefix":)" + quote(to_hex(key_prefix)) + ",\"keys\":" + hex_list(keys) + "}";
}

std::string where(const std::vector<std::string>& keys, std::string_view key_prefix) {
  return R"({"op":"where","key_prefix":)" + quote(to_hex(key_prefix)) + ",\"keys\":" + hex_list(keys) + "}";
}

std::string probe(const std::vector<std::string>& keys, std::string_view key_prefix,
                  const std::vector<std::size_t>& skip) {
  std::string skips = "[";
  for (std::size_t i = 0; i < skip.size(); ++i) skips += (i ? "," : "") + std::to_string(skip[i]);
  skips += "]";
  return R"({"op":"probe","key_prefix":)" + quote(to_hex(key_prefix)) + ",\"skip\":" + skips +
         ",\"keys\":" + hex_list(keys) + "}";
}

std::string flush_all() { return R"({"op":"flush_all"})"; }
std::string limit(std::size_t server_max_value_length) {
  return R"({"op":"limit","server_max_value_length":)" + std::to_string(server_max_value_length) + "}";
}
}  // namespace op

// -- running the peer -----------------------------------------------------------------

std::string python_interpreter() {
  const char* env = std::getenv("MEMCACHE_INTEROP_PYTHON");
  return env && *env ? env : MEMCACHE_INTEROP_PYTHON;
}

std::vector<Json> run_peer(const std::vector<Server>& servers, const std::vector<std::string>& ops, int dead_retry) {
  std::string input = "{\"dead_retry\":" + std::to_string(dead_retry) + ",\"socket_timeout\":3,\"servers\":[";
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (i) input += ',';
    input += "[" + quote(servers[i].spec) + "," + std::to_string(servers[i].weight) + "]";
  }
  input += "],\"ops\":[";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i) input += ',';
    input += ops[i];
  }
  input += "]}";
  Json doc = Json::parse(run_python(MEMCACHE_INTEROP_PEER, input));
  const Json& results = doc["results"];
  if (results.size() != ops.size()) throw std::runtime_error("peer: result count differs from op count");
  return results.items;
}

std::string run_python(const std::string& script, const std::string& input) {
  ::signal(SIGPIPE, SIG_IGN);
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (::pipe2(from_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const std::string python = python_interpreter();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    char* argv[] = {const_cast<char*>(python.c_str()), const_cast<char*>(script.c_str()), nullptr};
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);

  // peer.py reads all of its input before it writes anything.
  std::size_t written = 0;
  while (written < input.size()) {
    ssize_t n = ::write(to_child[1], input.data() + written, input.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::close(to_child[1]);
  std::string output;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(from_child[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(from_child[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(python + " " + script + " failed (exit status " + std::to_string(WEXITSTATUS(status)) +
                             "); python-memcached and pymemcache must be importable by " + python +
                             " (Debian: apt-get install python3-memcache python3-pymemcache)");
  }
  return output;
}

std::map<std::string, PyValue> items_of(const Json& get_multi_result) {
  std::map<std::string, PyValue> out;
  for (const Json& pair : get_multi_result["items"].items) {
    out.emplace(from_hex(pair[0].str()), PyValue::from_json(pair[1]));
  }
  return out;
}

std::map<std::string, std::size_t> placement_of(const Json& probe_result, std::size_t* duplicates) {
  std::map<std::string, std::size_t> out;
  std::size_t dup = 0;
  const Json& servers = probe_result["servers"];
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (servers[i].is_null()) continue;
    for (const Json& k : servers[i].items) {
      if (!out.emplace(from_hex(k.str()), i).second) ++dup;
    }
  }
  if (duplicates) *duplicates = dup;
  return out;
}

}  // namespace memcache::interop
