// One process of a herd: `threads` threads call get_or_set on one cold key
// at once (after the test's go signal), each with a compute() that counts
// itself on the server (`incr computations`), takes `compute_ms`, and
// returns a value naming this process and thread. Writes every value its
// threads got, one per line, to `out`.
//
//   herd_worker <server> <key> <threads> <compute_ms> <lease_s> <meta|add> <out>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include <memcache/memcache.hpp>

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: herd_worker <server> <key> <threads> <compute_ms> <lease_s> <meta|add> <out>\n");
    return 2;
  }
  const std::string server = argv[1];
  const std::string key = argv[2];
  const int threads = std::stoi(argv[3]);
  const auto compute_time = std::chrono::milliseconds(std::stoi(argv[4]));
  memcache::Options options;
  options.socket_timeout = std::chrono::seconds(10);
  options.connect_timeout = std::chrono::seconds(10);
  options.stampede_lease = std::chrono::seconds(std::stoi(argv[5]));
  if (std::string(argv[6]) == "add") options.stampede_lock = memcache::StampedeLock::add;
  memcache::Client mc({server}, options);

  // Ready, then wait for the go signal, so that every thread misses at once.
  mc.incr("herd:ready");
  while (!mc.get("herd:go")) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  std::vector<std::string> got(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      got[static_cast<std::size_t>(t)] = mc.get_or_set(
          key,
          [&] {
            mc.incr("herd:computations");
            std::this_thread::sleep_for(compute_time);
            return fmt::format("computed by {} thread {}", getpid(), t);
          },
          300);
    });
  }
  for (auto& th : pool) th.join();
  std::ofstream out(argv[7]);
  for (const auto& v : got) out << v << '\n';
  return out ? 0 : 1;
}
