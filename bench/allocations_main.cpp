// memcache_bench_allocations [--server HOST:PORT] [--calls N]
//
// Heap allocations per call of this library's Client, counted by a global
// operator new. Prints one line per call measured:
//   <call> <allocations per call> <bytes allocated per call>
// Starts its own memcached unless given one.
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <memcache/client.hpp>

#include "cluster.hpp"
#include "counting_new.hpp"

namespace {

using memcache::bench::allocations_so_far;

void measure(const char* name, std::size_t calls, const std::function<void()>& call) {
  call();  // warm: the connection is opened and pooled outside the count
  const auto before = allocations_so_far();
  for (std::size_t i = 0; i < calls; ++i) call();
  const auto after = allocations_so_far();
  const auto n = static_cast<double>(calls);
  std::printf("%s %.2f %.1f\n", name, static_cast<double>(after.calls - before.calls) / n,
              static_cast<double>(after.bytes - before.bytes) / n);
}

void expect(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

int run(const std::string& server, std::size_t calls) {
  memcache::Client mc({server});
  const std::string small(10, 's');   // the returned string stays in its inline buffer
  const std::string value(100, 'v');  // the returned string allocates once
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.push_back("bench:alloc:" + std::to_string(i));
  for (const auto& key : keys) expect(mc.set(key, value), "set failed");
  expect(mc.set("bench:alloc:small", small), "set failed");

  measure("get_10B", calls, [&] { expect(mc.get("bench:alloc:small").has_value(), "get missed"); });
  measure("get_100B", calls, [&] { expect(mc.get(keys[0]).has_value(), "get missed"); });
  measure("set_100B", calls, [&] { expect(mc.set(keys[0], value), "set failed"); });
  measure("get_multi_100", calls / 10 + 1, [&] { expect(mc.get_multi(keys).size() == keys.size(), "missed"); });
  measure("get_multi_each_100", calls / 10 + 1, [&] {
    std::size_t bytes = 0;
    const std::size_t n =
        mc.get_multi_each(keys, [&](std::string_view, memcache::Value::View v) { bytes += v.bytes.size(); });
    expect(n == keys.size() && bytes == keys.size() * value.size(), "missed");
  });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<std::string> server;
  std::size_t calls = 10000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--server" && i + 1 < argc) {
      server = argv[++i];
    } else if (arg == "--calls" && i + 1 < argc) {
      calls = std::stoul(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--server HOST:PORT] [--calls N]\n", argv[0]);
      return 2;
    }
  }
  try {
    if (server) return run(*server, calls);
    memcache::bench::Cluster cluster(1);
    return run(cluster.specs(1).front(), calls);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "memcache_bench_allocations: %s\n", e.what());
    return 1;
  }
}
