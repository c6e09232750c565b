#include "compression.hpp"

#include <limits>

#include <fmt/format.h>
#include <zlib.h>

#include <memcache/codec.hpp>
#include <memcache/error.hpp>

namespace memcache::detail {

std::string zlib_compress(std::string_view data) {
  if (data.size() > std::numeric_limits<uLong>::max()) throw ValueError("value too large to compress");
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                     static_cast<uLong>(data.size()), Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) throw ValueError(fmt::format("zlib compress failed ({})", rc));
  out.resize(size);
  return out;
}

std::string zlib_decompress(std::string_view data) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) throw ValueError("zlib inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended early
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    throw ValueError(fmt::format("value has flag 8 (compressed) but is not a valid zlib stream ({})",
                                 zs.msg ? zs.msg : "truncated"));
  }
  return out;
}

Value zlib_inflate(Value v) {
  if (!v.is_compressed()) return v;
  std::uint32_t flags = v.flags() & ~flags::compressed;
  return Value(zlib_decompress(v.bytes()), flags);
}

Value inflate(Value v, const Options& options) {
  if (!v.is_compressed()) return v;
  if (!options.decompressor) return zlib_inflate(std::move(v));
  const std::uint32_t plain = v.flags() & ~flags::compressed;
  return Value(options.decompressor(v.bytes()), plain);
}

}  // namespace memcache::detail
