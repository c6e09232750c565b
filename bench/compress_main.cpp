// memcache_compress_bench: what compression costs and saves, in two parts.
//
//   memcache_compress_bench --codecs [--runs N] [--file PATH]
//       zlib (levels 1-9) against libdeflate (1-12), in memory: the ratio and
//       the speed both ways on the benchmark's JSON-like values (or the
//       first 2 KB, 20 KB, 200 KB of PATH), so levels can be compared at
//       equal ratio.
//   memcache_compress_bench [--server HOST:PORT] [--runs N] [--seconds S]
//                           [--sizes 2000,20000,200000] [--configs raw,zlib:6,zlib:1,deflate:6,deflate:1]
//       A Client doing set then get of one value, over and over, for each
//       value size and configuration (interleaved run by run): sets+gets per
//       second and the p50/p99 latency of one set or get. `raw` stores the
//       value uncompressed; `zlib:L` compresses with zlib's compress2 at
//       level L (the library before libdeflate) and inflates with zlib;
//       `deflate:L` is the library's own compressor (libdeflate) at
//       `compress_level` L. Without --server it starts a memcached on
//       loopback; bench/shaped_link.sh points it at one across a 100 Mbit
//       link.
#include <time.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <libdeflate.h>

#include <memcache/memcache.hpp>

#include "cluster.hpp"
#include "stats.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using memcache::bench::Sample;

// The value memcache_bench compresses: JSON-like records, as a cache of
// rendered objects holds.
std::string compressible_value(std::size_t size) {
  std::string v;
  for (std::size_t i = 0; v.size() < size; ++i) {
    v += fmt::format(R"({{"id":{},"name":"user{}","email":"user{}@example.com","active":true,"score":{}}},)", i, i, i,
                     i * 37 % 1000);
  }
  v.resize(size);
  return v;
}

std::vector<std::string> split(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

// -- codecs in memory ------------------------------------------------------------

std::string zlib_deflate(std::string_view in, int level) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(in.data()),
                static_cast<uLong>(in.size()), level) != Z_OK) {
    throw std::runtime_error("compress2 failed");
  }
  out.resize(size);
  return out;
}

std::string zlib_inflate(std::string_view in, std::size_t plain_size) {
  std::string out(plain_size, '\0');
  uLongf size = static_cast<uLongf>(plain_size);
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(in.data()),
                 static_cast<uLong>(in.size())) != Z_OK) {
    throw std::runtime_error("uncompress failed");
  }
  out.resize(size);
  return out;
}

// Streaming inflate with no size known, as a client reading a value does.
std::string zlib_inflate_unknown(std::string_view in) {
  z_stream zs{};
  inflateInit(&zs);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out(std::max<std::size_t>(in.size() * 4, 4096), '\0');
  std::size_t produced = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const std::size_t room = out.size() - produced;
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("inflate failed");
  out.resize(produced);
  return out;
}

struct DeflateCompressor {
  explicit DeflateCompressor(int level) : c(libdeflate_alloc_compressor(level)) {}
  ~DeflateCompressor() { libdeflate_free_compressor(c); }
  DeflateCompressor(const DeflateCompressor&) = delete;
  DeflateCompressor& operator=(const DeflateCompressor&) = delete;
  std::string operator()(std::string_view in) const {
    std::string out(libdeflate_zlib_compress_bound(c, in.size()), '\0');
    out.resize(libdeflate_zlib_compress(c, in.data(), in.size(), out.data(), out.size()));
    return out;
  }
  libdeflate_compressor* c;
};

/// One way through one codec at one level, timed.
struct Timed {
  std::function<void()> call;
  std::size_t calls = 1;  // per timing: enough to take about 10 ms
  Sample mb_per_s;
};

// This thread's CPU time: a loaded machine's preemption does not count (wall
// clock here swung 3x between runs).
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Times every entry once per run, runs interleaved, in this thread's CPU
/// time; the rates in MB of plain data per CPU second.
void time_interleaved(std::vector<Timed*>& all, std::size_t plain_size, std::size_t runs) {
  for (Timed* t : all) {
    for (;;) {
      const double start = thread_seconds();
      for (std::size_t i = 0; i < t->calls; ++i) t->call();
      if (thread_seconds() - start > 0.01 || t->calls > (1u << 20)) break;
      t->calls *= 2;
    }
  }
  for (std::size_t r = 0; r < runs; ++r) {
    for (Timed* t : all) {
      const double start = thread_seconds();
      for (std::size_t i = 0; i < t->calls; ++i) t->call();
      const double seconds = thread_seconds() - start;
      t->mb_per_s.rates.push_back(static_cast<double>(plain_size * t->calls) / seconds / 1e6);
    }
  }
}

int codecs(std::size_t runs, const std::optional<std::string>& file) {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::string contents;
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    contents.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (contents.size() < 200000) throw std::runtime_error(*file + ": fewer than 200000 bytes");
  }
  fmt::print("{} run(s), interleaved; median MB of plain data per CPU second of this thread\n\n", runs);
  fmt::print("| value | codec | level | compressed | ratio | compress MB/s | decompress MB/s (size unknown) |\n");
  fmt::print("|---:|---|---:|---:|---:|---:|---:|\n");
  for (std::size_t size : {std::size_t{2000}, std::size_t{20000}, std::size_t{200000}}) {
    const std::string plain = file ? contents.substr(0, size) : compressible_value(size);
    struct Row {
      const char* codec;
      int level;
      std::string packed;
      Timed compress, decompress;
    };
    std::deque<Row> rows;
    std::vector<std::unique_ptr<DeflateCompressor>> compressors;
    std::vector<char> scratch;
    for (int level : {1, 6, 9}) {
      Row& row = rows.emplace_back(Row{"zlib", level, zlib_deflate(plain, level), {}, {}});
      if (zlib_inflate(row.packed, size) != plain) throw std::runtime_error("zlib round trip");
      row.compress.call = [&plain, level] { (void)zlib_deflate(plain, level); };
      row.decompress.call = [&row] { (void)zlib_inflate_unknown(row.packed); };
    }
    for (int level : {1, 2, 3, 4, 5, 6, 9, 12}) {
      const DeflateCompressor& compress = *compressors.emplace_back(std::make_unique<DeflateCompressor>(level));
      Row& row = rows.emplace_back(Row{"libdeflate", level, compress(plain), {}, {}});
      if (zlib_inflate(row.packed, size) != plain) throw std::runtime_error("libdeflate output is not a zlib stream");
      row.compress.call = [&plain, &compress] { (void)compress(plain); };
      row.decompress.call = [&row, &scratch, d] {
        // As the library: a scratch room kept from value to value (doubled
        // until the value fits), the result copied out.
        for (std::size_t room = std::max<std::size_t>(row.packed.size() * 4, 64 * 1024);; room *= 2) {
          if (scratch.size() < room) scratch.resize(room);
          std::size_t produced = 0;
          const auto rc = libdeflate_zlib_decompress(d, row.packed.data(), row.packed.size(), scratch.data(),
                                                     scratch.size(), &produced);
          if (rc == LIBDEFLATE_SUCCESS) {
            std::string result(scratch.data(), produced);
            return;
          }
          if (rc != LIBDEFLATE_INSUFFICIENT_SPACE) throw std::runtime_error("libdeflate decompress");
        }
      };
    }
    std::vector<Timed*> all;
    for (Row& row : rows) {
      all.push_back(&row.compress);
      all.push_back(&row.decompress);
    }
    time_interleaved(all, size, runs);
    for (const Row& row : rows) {
      fmt::print("| {} B | {} | {} | {} | {:.2f} | {:.0f} | {:.0f} |\n", size, row.codec, row.level, row.packed.size(),
                 static_cast<double>(size) / static_cast<double>(row.packed.size()), row.compress.mb_per_s.median(),
                 row.decompress.mb_per_s.median());
    }
  }
  libdeflate_free_decompressor(d);
  return 0;
}

// -- a client over the network --------------------------------------------------

struct Config {
  std::string name;
  memcache::Options options;
  std::size_t min_compress_len = 0;
};

Config make_config(const std::string& name) {
  Config c{name, {}, 0};
  c.options.socket_timeout = std::chrono::seconds(30);
  if (name == "raw") return c;
  const auto colon = name.find(':');
  if (colon == std::string::npos) throw std::invalid_argument("config " + name + ": raw, zlib:L or deflate:L");
  const std::string kind = name.substr(0, colon);
  const int level = std::stoi(name.substr(colon + 1));
  c.min_compress_len = 1024;
  if (kind == "zlib") {
    c.options.compressor = [level](std::string_view in) { return zlib_deflate(in, level); };
    c.options.decompressor = [](std::string_view in) { return zlib_inflate_unknown(in); };
  } else if (kind == "deflate") {
    c.options.compress_level = level;
  } else {
    throw std::invalid_argument("config " + name + ": raw, zlib:L or deflate:L");
  }
  return c;
}

struct RunResult {
  double ops_per_s;
  double p50_ms;
  double p99_ms;
  std::size_t stored_bytes;
};

double percentile(std::vector<double>& v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

RunResult run_config(const std::string& server, const Config& config, const std::string& value, double seconds) {
  memcache::Client mc({server}, config.options);
  const std::string key = fmt::format("compress:{}:{}", config.name, value.size());
  std::vector<double> latencies;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < until || latencies.size() < 20) {
    auto t0 = Clock::now();
    if (!mc.set(key, value, 0, config.min_compress_len)) throw std::runtime_error("set failed on " + config.name);
    auto t1 = Clock::now();
    auto got = mc.get(key);
    auto t2 = Clock::now();
    if (!got || got->size() != value.size()) throw std::runtime_error("get failed on " + config.name);
    latencies.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    latencies.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  // What the server holds (compressed or not): python-memcached reads it too.
  auto raw = mc.get<memcache::Value>(key);
  RunResult r{static_cast<double>(latencies.size()) / elapsed, 0, 0, raw ? raw->bytes().size() : 0};
  r.p50_ms = percentile(latencies, 0.50);
  r.p99_ms = percentile(latencies, 0.99);
  return r;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int network(const std::string& server, std::size_t runs, double seconds, const std::vector<std::string>& sizes,
            const std::vector<std::string>& config_names) {
  std::vector<Config> configs;
  for (const auto& name : config_names) configs.push_back(make_config(name));
  fmt::print("server {}, {} run(s) of {} s per value size and configuration, interleaved; medians\n\n", server, runs,
             seconds);
  fmt::print(
      "| value | config | stored bytes | sets+gets/s | vs raw | p50 ms | p99 ms "
      "|\n|---:|---|---:|---:|---:|---:|---:|\n");
  for (const auto& size_text : sizes) {
    const std::string value = compressible_value(std::stoul(size_text));
    std::vector<std::vector<RunResult>> results(configs.size());
    for (std::size_t run = 0; run < runs; ++run) {
      for (std::size_t c = 0; c < configs.size(); ++c) {
        results[c].push_back(run_config(server, configs[c], value, seconds));
      }
    }
    std::optional<double> raw_rate;
    for (std::size_t c = 0; c < configs.size(); ++c) {
      std::vector<double> rates, p50, p99;
      for (const auto& r : results[c]) {
        rates.push_back(r.ops_per_s);
        p50.push_back(r.p50_ms);
        p99.push_back(r.p99_ms);
      }
      const double rate = median_of(rates);
      if (configs[c].name == "raw") raw_rate = rate;
      fmt::print("| {} B | {} | {} | {:.0f} | {} | {:.3f} | {:.3f} |\n", value.size(), configs[c].name,
                 results[c].front().stored_bytes, rate, raw_rate ? fmt::format("{:.2f}", rate / *raw_rate) : "–",
                 median_of(p50), median_of(p99));
    }
  }
  return 0;
}

[[noreturn]] void usage() {
  throw std::invalid_argument(
      "usage: memcache_compress_bench --codecs [--runs N] [--file PATH]\n"
      "       memcache_compress_bench [--server HOST:PORT] [--runs N] [--seconds S] [--sizes N,N,...] "
      "[--configs raw,zlib:L,deflate:L,...]");
}

}  // namespace

int main(int argc, char** argv) try {
  bool codec_table = false;
  std::size_t runs = 5;
  double seconds = 1.0;
  std::optional<std::string> server;
  std::optional<std::string> file;
  std::vector<std::string> sizes = {"2000", "20000", "200000"};
  std::vector<std::string> configs = {"raw", "zlib:6", "zlib:1", "deflate:6", "deflate:1"};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (arg == "--codecs") {
      codec_table = true;
    } else if (arg == "--runs") {
      runs = std::stoul(value());
    } else if (arg == "--seconds") {
      seconds = std::stod(value());
    } else if (arg == "--file") {
      file = value();
    } else if (arg == "--server") {
      server = value();
    } else if (arg == "--sizes") {
      sizes = split(value());
    } else if (arg == "--configs") {
      configs = split(value());
    } else {
      usage();
    }
  }
  if (runs == 0) usage();
  if (codec_table) return codecs(runs, file);
  if (server) return network(*server, runs, seconds, sizes, configs);
  memcache::bench::Cluster cluster(1);
  return network(cluster.specs(1).front(), runs, seconds, sizes, configs);
} catch (const std::exception& e) {
  std::fprintf(stderr, "memcache_compress_bench: %s\n", e.what());
  return 1;
}
