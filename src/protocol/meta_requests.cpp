#include "protocol/meta_requests.hpp"

#include <atomic>

#include <fmt/format.h>

namespace memcache::detail::protocol {
namespace {

std::atomic<std::uint32_t> opaque_counter{1};

void append(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

template <class Int>
void append_number(std::string& out, Int n) {
  fmt::format_int f(n);
  out.append(f.data(), f.size());
}

// ` <letter><number>`
template <class Int>
void append_flag(std::string& out, char letter, Int n) {
  out += ' ';
  out += letter;
  append_number(out, n);
}

void begin(std::string& out, std::string_view cmd, std::string_view key) {
  append(out, cmd);
  append(out, key);
}

void finish(std::string& out, bool quiet, std::uint32_t opaque) {
  if (quiet) append(out, " q");
  append_flag(out, 'O', opaque);
  append(out, "\r\n");
}

}  // namespace

std::uint32_t next_opaque(std::uint32_t count) { return opaque_counter.fetch_add(count, std::memory_order_relaxed); }

void encode_meta_get(std::string& out, std::string_view key, const MetaGet& get, std::uint32_t opaque) {
  begin(out, "mg ", key);
  if (get.value) append(out, " v");
  if (get.client_flags) append(out, " f");
  if (get.key) append(out, " k");
  if (get.cas) append(out, " c");
  if (get.ttl) append(out, " t");
  if (get.size) append(out, " s");
  if (get.touch) append_flag(out, 'T', *get.touch);
  if (get.vivify) append_flag(out, 'N', *get.vivify);
  if (get.recache) append_flag(out, 'R', *get.recache);
  finish(out, get.quiet, opaque);
}

void encode_meta_set(std::string& out, std::string_view key, std::string_view data, const MetaSet& set,
                     std::uint32_t opaque) {
  begin(out, "ms ", key);
  out += ' ';
  append_number(out, data.size());
  if (set.mode != MetaMode::set) {
    append(out, " M");
    out += static_cast<char>(set.mode);
  }
  append_flag(out, 'F', set.client_flags);
  append_flag(out, 'T', set.ttl);
  if (set.cas) append_flag(out, 'C', *set.cas);
  if (set.invalidate) append(out, " I");
  finish(out, set.quiet, opaque);
  append(out, data);
  append(out, "\r\n");
}

void encode_meta_delete(std::string& out, std::string_view key, const MetaDelete& del, std::uint32_t opaque) {
  begin(out, "md ", key);
  if (del.invalidate) append(out, " I");
  if (del.ttl) append_flag(out, 'T', *del.ttl);
  if (del.cas) append_flag(out, 'C', *del.cas);
  finish(out, del.quiet, opaque);
}

void encode_meta_arith(std::string& out, std::string_view key, const MetaArith& arith, std::uint32_t opaque) {
  begin(out, "ma ", key);
  if (!arith.incr) append(out, " MD");
  append_flag(out, 'D', arith.delta);
  if (arith.value) append(out, " v");
  if (arith.vivify) {
    append_flag(out, 'N', *arith.vivify);
    append_flag(out, 'J', arith.initial);
  }
  finish(out, arith.quiet, opaque);
}

void encode_meta_noop(std::string& out) { append(out, "mn\r\n"); }

}  // namespace memcache::detail::protocol
