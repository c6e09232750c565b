#include "protocol/meta_requests.hpp"

#include <atomic>
#include <cstring>

#include <fmt/format.h>

namespace memcache::detail::protocol {
namespace {

std::atomic<std::uint32_t> opaque_counter{1};

void append(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

// A request's flags, gathered on the stack and appended to the request at
// once: a get's flags are a dozen tiny pieces, and a string append each cost
// more than the rest of encoding.
class Flags {
 public:
  void add(std::string_view s) {
    std::memcpy(buf_ + size_, s.data(), s.size());
    size_ += s.size();
  }
  // ` <letter><number>`
  template <class Int>
  void flag(char letter, Int n) {
    buf_[size_++] = ' ';
    buf_[size_++] = letter;
    number(n);
  }
  template <class Int>
  void number(Int n) {
    const fmt::format_int f(n);
    std::memcpy(buf_ + size_, f.data(), f.size());
    size_ += f.size();
  }
  // `[ q] O<opaque>\r\n`, and the whole to `out`.
  void finish(std::string& out, bool quiet, std::uint32_t opaque) {
    if (quiet) add(" q");
    flag('O', opaque);
    add("\r\n");
    out.append(buf_, size_);
  }

 private:
  // Room for every flag an encoder here writes, each number at its widest.
  char buf_[192];
  std::size_t size_ = 0;
};

void begin(std::string& out, std::string_view cmd, std::string_view key) {
  append(out, cmd);
  append(out, key);
}

}  // namespace

std::uint32_t next_opaque(std::uint32_t count) { return opaque_counter.fetch_add(count, std::memory_order_relaxed); }

void encode_meta_get(std::string& out, std::string_view key, const MetaGet& get, std::uint32_t opaque) {
  begin(out, "mg ", key);
  Flags f;
  if (get.value) f.add(" v");
  if (get.client_flags) f.add(" f");
  if (get.key) f.add(" k");
  if (get.cas) f.add(" c");
  if (get.ttl) f.add(" t");
  if (get.size) f.add(" s");
  if (get.touch) f.flag('T', *get.touch);
  if (get.vivify) f.flag('N', *get.vivify);
  if (get.recache) f.flag('R', *get.recache);
  f.finish(out, get.quiet, opaque);
}

void encode_meta_set(std::string& out, std::string_view key, std::string_view data, const MetaSet& set,
                     std::uint32_t opaque) {
  begin(out, "ms ", key);
  Flags f;
  f.add(" ");
  f.number(data.size());
  if (set.mode != MetaMode::set) {
    const char mode[] = {' ', 'M', static_cast<char>(set.mode)};
    f.add(std::string_view(mode, sizeof mode));
  }
  f.flag('F', set.client_flags);
  f.flag('T', set.ttl);
  if (set.cas) f.flag('C', *set.cas);
  if (set.invalidate) f.add(" I");
  f.finish(out, set.quiet, opaque);
  append(out, data);
  append(out, "\r\n");
}

void encode_meta_delete(std::string& out, std::string_view key, const MetaDelete& del, std::uint32_t opaque) {
  begin(out, "md ", key);
  Flags f;
  if (del.invalidate) f.add(" I");
  if (del.ttl) f.flag('T', *del.ttl);
  if (del.cas) f.flag('C', *del.cas);
  f.finish(out, del.quiet, opaque);
}

void encode_meta_arith(std::string& out, std::string_view key, const MetaArith& arith, std::uint32_t opaque) {
  begin(out, "ma ", key);
  Flags f;
  if (!arith.incr) f.add(" MD");
  f.flag('D', arith.delta);
  if (arith.value) f.add(" v");
  if (arith.vivify) {
    f.flag('N', *arith.vivify);
    f.flag('J', arith.initial);
  }
  f.finish(out, arith.quiet, opaque);
}

void encode_meta_noop(std::string& out) { append(out, "mn\r\n"); }

}  // namespace memcache::detail::protocol
