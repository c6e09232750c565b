#include "values/compression.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <zlib.h>

#include <memcache/codec.hpp>
#include <memcache/error.hpp>

namespace memcache::detail {

std::string zlib_compress(std::string_view data, int level) {
  if (data.size() > std::numeric_limits<uLong>::max()) throw ValueError("value too large to compress");
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                     static_cast<uLong>(data.size()), level);
  if (rc != Z_OK) throw ValueError(fmt::format("zlib compress failed ({})", rc));
  out.resize(size);
  return out;
}

std::string zlib_decompress(std::string_view data) {
  if (data.size() > std::numeric_limits<uInt>::max()) throw ValueError("compressed value too large");
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw ValueError("zlib inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  // The plain size is not in the stream: inflate straight into the result,
  // sized from a guess (cached values typically shrink 3-10 times) and
  // doubled when full, rather than through a buffer copied at every step.
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
  if (rc != Z_STREAM_END) {
    throw ValueError(fmt::format("value has flag 8 (compressed) but is not a valid zlib stream ({})",
                                 zs.msg ? zs.msg : "truncated"));
  }
  return out;
}

Value inflate(Value v, const Options& options) {
  if (!v.is_compressed()) return v;
  const std::uint32_t plain = v.flags() & ~flags::compressed;
  return Value(options.decompressor ? options.decompressor(v.bytes()) : zlib_decompress(v.bytes()), plain);
}

const Options& default_options() {
  static const Options defaults;
  return defaults;
}

}  // namespace memcache::detail
