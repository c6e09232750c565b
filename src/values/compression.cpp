#include "values/compression.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include <fmt/format.h>
#include <libdeflate.h>
#include <zlib.h>

#include <memcache/codec.hpp>
#include <memcache/error.hpp>

namespace memcache::detail {

namespace {

struct CompressorFree {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// libdeflate's levels: 0 (stored) to 12. The default is 5, not zlib's 6: on
// the benchmark's JSON and on C++ source its output is within 5% of zlib
// level 6's (smaller on JSON) at 1.6-2.5 times its speed, where libdeflate's
// own level 6 is slower than zlib's on repetitive JSON (docs/performance.md).
constexpr int max_level = 12;
constexpr int default_level = 5;

// A compressor holds its level's tables (tens to hundreds of KiB): made once
// per thread and level, not per value.
libdeflate_compressor& compressor_for(int level) {
  thread_local std::unique_ptr<libdeflate_compressor, CompressorFree> by_level[max_level + 1];
  auto& slot = by_level[level];
  if (!slot) {
    slot.reset(libdeflate_alloc_compressor(level));
    if (!slot) throw std::bad_alloc();
  }
  return *slot;
}

libdeflate_decompressor& decompressor() {
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorFree> d;
  if (!d) {
    d.reset(libdeflate_alloc_decompressor());
    if (!d) throw std::bad_alloc();
  }
  return *d;
}

[[noreturn]] void throw_not_zlib(const char* why) {
  throw ValueError(fmt::format("value has flag 8 (compressed) but is not a valid zlib stream ({})", why));
}

// Past this, a value is inflated by zlib's streaming inflate instead of
// libdeflate's one-shot, which needs the whole output's room up front.
constexpr std::size_t one_shot_cap = std::size_t{64} << 20;

// zlib's streaming inflate: no size bound needed.
std::string zlib_inflate(std::string_view data) {
  if (data.size() > std::numeric_limits<uInt>::max()) throw ValueError("compressed value too large");
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw ValueError("zlib inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  // Straight into the result, doubled when full, rather than through a
  // buffer copied at every step.
  std::string out(std::max<std::size_t>(data.size() * 4, 4096), '\0');
  std::size_t produced = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const std::size_t room = std::min<std::size_t>(out.size() - produced, std::numeric_limits<uInt>::max());
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  inflateEnd(&zs);
  out.resize(produced);
  if (rc != Z_STREAM_END) throw_not_zlib(zs.msg ? zs.msg : "truncated");
  return out;
}

}  // namespace

std::string zlib_compress(std::string_view data, int level) {
  if (level < 0) level = default_level;
  if (level > max_level) throw ValueError(fmt::format("compress_level {} is out of range (-1, 0 to 12)", level));
  libdeflate_compressor& c = compressor_for(level);
  std::string out(libdeflate_zlib_compress_bound(&c, data.size()), '\0');
  const std::size_t size = libdeflate_zlib_compress(&c, data.data(), data.size(), out.data(), out.size());
  if (size == 0) throw ValueError("zlib compress failed");  // cannot happen with the bound's room
  out.resize(size);
  return out;
}

std::string zlib_decompress(std::string_view data) {
  // The plain size is not in the stream: libdeflate inflates in one shot
  // into this thread's scratch room (grown, never zeroed again), twice as
  // large again when it was too small, and the result is copied out once.
  // Past the cap, zlib's streaming inflate takes over (no bound, as Python's).
  thread_local std::vector<char> scratch;
  libdeflate_decompressor& d = decompressor();
  std::string out;
  bool done = false;
  for (std::size_t room = std::max({scratch.size(), data.size() * 4, std::size_t{64 * 1024}}); room <= one_shot_cap;
       room *= 2) {
    if (scratch.size() < room) scratch.resize(room);
    std::size_t produced = 0;
    const auto rc = libdeflate_zlib_decompress(&d, data.data(), data.size(), scratch.data(), scratch.size(), &produced);
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) continue;
    if (rc != LIBDEFLATE_SUCCESS) break;  // bad, truncated, wrong checksum: zlib says which
    out.assign(scratch.data(), produced);
    done = true;
    break;
  }
  // One large value must not pin its size on the thread.
  constexpr std::size_t kept_bytes = std::size_t{4} << 20;
  if (scratch.size() > kept_bytes) std::vector<char>().swap(scratch);
  return done ? out : zlib_inflate(data);
}

std::string decompress(std::string_view data, const Options& options) {
  return options.decompressor ? options.decompressor(data) : zlib_decompress(data);
}

Value inflate(Value v, const Options& options) {
  if (!v.is_compressed()) return v;
  const std::uint32_t plain = v.flags() & ~flags::compressed;
  return Value(decompress(v.bytes(), options), plain);
}

const Options& default_options() {
  static const Options defaults;
  return defaults;
}

}  // namespace memcache::detail
