// netfaults_driver: one client under the netfaults workload (see
// workload.hpp) for a fixed time, for tests/netfaults/run.py.
//
//   netfaults_driver --client sync|async|libmemcached --servers H:P,H:P,H:P
//                    [--prefix P] [--keys N] [--workers N] [--rate R] [--seconds S]
//                    [--socket-timeout-ms MS] [--connect-timeout-ms MS] [--dead-retry-s S]
//
// Sets every key through the client, finds each key's home server, prints
// `READY <t0>` (t0 on CLOCK_MONOTONIC, in seconds), runs the workers for S
// seconds from t0 (each worker R steps a second; 0: flat out), then prints one JSON line: per home server, per 100 ms,
// calls by outcome (ok, miss, failed, wrong) and the slowest call, for the
// single-key workers and (multi_per_home) for the get_multi workers' part on
// each home server, plus the totals, the worst call and the 99th percentile.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "workload.hpp"

namespace {

using namespace netfaults;

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> parts;
  std::stringstream in(list);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + std::string(arg));
    const std::string value = argv[++i];
    if (arg == "--client") {
      settings.client = value;
    } else if (arg == "--servers") {
      settings.servers = split(value);
    } else if (arg == "--prefix") {
      settings.prefix = value;
    } else if (arg == "--keys") {
      settings.keys = std::stoul(value);
    } else if (arg == "--workers") {
      settings.workers_per_server = std::stoul(value);
    } else if (arg == "--rate") {
      settings.rate = std::stod(value);
    } else if (arg == "--seconds") {
      settings.duration = std::chrono::milliseconds(static_cast<long>(std::stod(value) * 1000));
    } else if (arg == "--socket-timeout-ms") {
      settings.socket_timeout = std::chrono::milliseconds(std::stol(value));
    } else if (arg == "--connect-timeout-ms") {
      settings.connect_timeout = std::chrono::milliseconds(std::stol(value));
    } else if (arg == "--dead-retry-s") {
      settings.dead_retry = std::chrono::seconds(std::stol(value));
    } else {
      throw std::invalid_argument("unknown argument " + std::string(arg));
    }
  }
  if (settings.servers.empty() || settings.keys == 0) throw std::invalid_argument("--servers and --keys are needed");
  return settings;
}

double seconds(Clock::time_point t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

std::string report(const Settings& settings, const std::vector<std::vector<std::string>>& homes, const Tallies& tallies,
                   Clock::time_point start) {
  Tally all(start, 0);
  std::string per_home;
  std::string sizes;
  std::string multi_per_home;
  for (std::size_t s = 0; s < tallies.size(); ++s) {
    all.merge(tallies[s]);
    std::string buckets;
    for (const auto& b : tallies[s].buckets()) {
      buckets += fmt::format("{}[{},{},{},{},{}]", buckets.empty() ? "" : ",", b.calls[0], b.calls[1], b.calls[2],
                             b.calls[3], b.worst_us);
    }
    std::string& into = s < homes.size() ? per_home : multi_per_home;
    into += fmt::format("{}[{}]", into.empty() ? "" : ",", buckets);
    if (s < homes.size()) sizes += fmt::format("{}{}", sizes.empty() ? "" : ",", homes[s].size());
  }
  // Single-key calls by outcome; get_multi parts (one per home asked) apart.
  std::array<std::uint64_t, 4> totals{};
  std::array<std::uint64_t, 4> multi{};
  for (std::size_t s = 0; s < tallies.size(); ++s) {
    for (const auto& b : tallies[s].buckets()) {
      for (std::size_t o = 0; o < 4; ++o) (s < homes.size() ? totals : multi)[o] += b.calls[o];
    }
  }
  std::vector<std::uint32_t> latencies = all.latencies_us();
  double p99_ms = 0;
  if (!latencies.empty()) {
    const auto at = latencies.begin() + static_cast<std::ptrdiff_t>(latencies.size() * 99 / 100);
    std::nth_element(latencies.begin(), at, latencies.end());
    p99_ms = *at / 1000.0;
  }
  std::string wrong_keys;
  for (const auto& key : all.wrong_keys()) wrong_keys += fmt::format("{}\"{}\"", wrong_keys.empty() ? "" : ",", key);
  return fmt::format(
      "{{\"client\":\"{}\",\"t0\":{:.6f},\"bucket_ms\":{},\"homes\":[{}],\"unfinished\":{},"
      "\"calls\":{},\"ok\":{},\"misses\":{},\"failed\":{},\"wrong\":{},\"worst_ms\":{:.3f},\"worst_at\":{:.3f},"
      "\"p99_ms\":{:.3f},\"wrong_keys\":[{}],\"multi_parts\":[{},{},{},{}],"
      "\"per_home\":[{}],\"multi_per_home\":[{}]}}",
      settings.client, seconds(start), Tally::bucket_width.count(), sizes, unfinished_calls, latencies.size(),
      totals[0], totals[1], totals[2], totals[3] + multi[3], static_cast<double>(all.worst_us()) / 1000.0,
      all.worst_at(), p99_ms, wrong_keys, multi[0], multi[1], multi[2], multi[3], per_home, multi_per_home);
}

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  const std::vector<std::string> keys = key_names(settings);
  if (settings.client == "sync") {
    seed_sync(settings, keys);
  } else if (settings.client == "async") {
    seed_async(settings, keys);
  } else if (settings.client == "libmemcached") {
    seed_libmemcached(settings, keys);
  } else {
    throw std::invalid_argument("--client must be sync, async or libmemcached");
  }
  const auto homes = find_homes(settings, keys);
  const auto start = Clock::now();
  std::printf("READY %.6f\n", seconds(start));
  std::fflush(stdout);
  Tallies tallies;
  if (settings.client == "sync") {
    tallies = run_sync(settings, homes, start);
  } else if (settings.client == "async") {
    tallies = run_async(settings, homes, start);
  } else {
    tallies = run_libmemcached(settings, homes, start);
  }
  std::printf("%s\n", report(settings, homes, tallies, start).c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "netfaults_driver: %s\n", e.what());
  return 2;
}
