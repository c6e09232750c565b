#include "protocol/requests.hpp"

#include <cstring>

#include <fmt/format.h>

namespace memcache::detail::protocol {
namespace {

void append(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

template <class Int>
void append_number(std::string& out, Int n) {
  fmt::format_int f(n);
  out.append(f.data(), f.size());
}

void finish(std::string& out, bool noreply) {
  if (noreply) append(out, " noreply");
  append(out, "\r\n");
}

}  // namespace

void encode_storage(std::string& out, std::string_view cmd, std::string_view key, std::uint32_t flags,
                    std::int64_t exptime, std::string_view data, std::optional<std::uint64_t> cas_unique,
                    bool noreply) {
  append(out, cmd);
  out += ' ';
  append(out, key);
  out += ' ';
  append_number(out, flags);
  out += ' ';
  append_number(out, exptime);
  out += ' ';
  append_number(out, data.size());
  if (cas_unique) {
    out += ' ';
    append_number(out, *cas_unique);
  }
  finish(out, noreply);
  append(out, data);
  append(out, "\r\n");
}

void encode_retrieval(std::string& out, bool with_cas, const std::string_view* keys, std::size_t count) {
  // Sized once, then copied into: a line of 100 keys is one resize, not 200
  // appends that each check the capacity.
  const std::string_view cmd = with_cas ? "gets" : "get";
  std::size_t size = cmd.size() + count + 2;
  for (std::size_t i = 0; i < count; ++i) size += keys[i].size();
  const std::size_t at = out.size();
  out.resize(at + size);
  char* p = out.data() + at;
  std::memcpy(p, cmd.data(), cmd.size());
  p += cmd.size();
  for (std::size_t i = 0; i < count; ++i) {
    *p++ = ' ';
    std::memcpy(p, keys[i].data(), keys[i].size());
    p += keys[i].size();
  }
  std::memcpy(p, "\r\n", 2);
}

void encode_retrieval(std::string& out, bool with_cas, std::string_view key) {
  // One resize and three copies: the hottest request there is.
  const std::string_view cmd = with_cas ? "gets " : "get ";
  const std::size_t at = out.size();
  out.resize(at + cmd.size() + key.size() + 2);
  char* p = out.data() + at;
  std::memcpy(p, cmd.data(), cmd.size());
  std::memcpy(p + cmd.size(), key.data(), key.size());
  std::memcpy(p + cmd.size() + key.size(), "\r\n", 2);
}

void encode_touch_retrieval(std::string& out, bool with_cas, std::int64_t exptime, std::string_view key) {
  append(out, with_cas ? "gats " : "gat ");
  append_number(out, exptime);
  out += ' ';
  append(out, key);
  append(out, "\r\n");
}

void encode_arith(std::string& out, bool incr, std::string_view key, std::uint64_t delta, bool noreply) {
  append(out, incr ? "incr " : "decr ");
  append(out, key);
  out += ' ';
  append_number(out, delta);
  finish(out, noreply);
}

void encode_delete(std::string& out, std::string_view key, std::int64_t time, bool noreply) {
  append(out, "delete ");
  append(out, key);
  if (time != 0) {
    out += ' ';
    append_number(out, time);
  }
  finish(out, noreply);
}

void encode_touch(std::string& out, std::string_view key, std::int64_t exptime, bool noreply) {
  append(out, "touch ");
  append(out, key);
  out += ' ';
  append_number(out, exptime);
  finish(out, noreply);
}

void encode_line(std::string& out, std::string_view line) {
  append(out, line);
  append(out, "\r\n");
}

}  // namespace memcache::detail::protocol
