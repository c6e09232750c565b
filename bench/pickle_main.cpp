// memcache_pickle_bench: how fast memcache::unpickle reads a 1,000-entry dict
// (str keys; str, int and float values), at pickle protocols 0 and 5.
//
//   memcache_pickle_bench [pickle files...]
//
// With no files it times pickles this library writes; with files (e.g. made
// by CPython: python3 -c 'import pickle,sys; sys.stdout.buffer.write(pickle.dumps(d, 5))')
// it times those. Prints per decode: microseconds, MB/s, entries/s.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include <memcache/python.hpp>

namespace {

memcache::PyValue thousand_entries() {
  std::vector<memcache::PyValue::Item> items;
  for (int i = 0; i < 1000; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "key%04d", i);
    if (i % 3 == 0) {
      items.emplace_back(key, "value-" + std::to_string(i));
    } else if (i % 3 == 1) {
      items.emplace_back(key, i);
    } else {
      items.emplace_back(key, i * 0.5);
    }
  }
  return memcache::PyValue::dict(std::move(items));
}

void time_decode(const std::string& name, const std::string& pickle) {
  const auto first = memcache::unpickle(pickle);  // warm up, and check
  std::size_t runs = 0;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = std::chrono::steady_clock::duration::zero();
  while (elapsed < std::chrono::seconds(1)) {
    for (int i = 0; i < 50; ++i) {
      if (memcache::unpickle(pickle).size() != first.size()) std::abort();
    }
    runs += 50;
    elapsed = std::chrono::steady_clock::now() - start;
  }
  const double us = std::chrono::duration<double, std::micro>(elapsed).count() / static_cast<double>(runs);
  std::printf("%-28s %7zu bytes  %8.1f us/decode  %7.1f MB/s  %6.2f M entries/s\n", name.c_str(), pickle.size(), us,
              static_cast<double>(pickle.size()) / us, static_cast<double>(first.size()) / us);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) {
      std::ifstream in(argv[i], std::ios::binary);
      time_decode(argv[i], std::string(std::istreambuf_iterator<char>(in), {}));
    }
    return 0;
  }
  const auto dict = thousand_entries();
  for (int protocol : {0, 2, 5}) {
    time_decode("dict of 1000, protocol " + std::to_string(protocol), memcache::pickle(dict, protocol));
  }
}
