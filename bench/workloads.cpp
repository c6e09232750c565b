#include "workloads.hpp"

#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace memcache::bench {
namespace {

constexpr std::size_t key_count = 100;
constexpr std::size_t thread_count = 8;
constexpr std::size_t min_compress_len = 1024;

std::vector<std::string> make_keys(std::string_view prefix, std::size_t count) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < count; ++i) keys.push_back(fmt::format("bench:{}:{:06}", prefix, i));
  return keys;
}

// Letters from a fixed pseudo-random sequence: incompressible enough, and
// never "\r\n", so the raw socket can find the end of a reply.
std::string random_value(std::size_t size) {
  std::string v(size, '\0');
  std::uint32_t x = 2463534242u;
  for (char& c : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>('a' + x % 26);
  }
  return v;
}

// JSON-like records, as a cache of rendered objects holds: zlib shrinks them
// several times over.
std::string compressible_value(std::size_t size) {
  std::string v;
  for (std::size_t i = 0; v.size() < size; ++i) {
    v += fmt::format(R"({{"id":{},"name":"user{}","email":"user{}@example.com","active":true,"score":{}}},)", i, i, i,
                     i * 37 % 1000);
  }
  v.resize(size);
  return v;
}

[[noreturn]] void failed(Peer& peer, std::string_view what) {
  throw std::runtime_error(fmt::format("{}: {}", peer.name(), what));
}

void store_all(Peer& peer, const std::vector<std::string>& keys, const std::string& value,
               std::size_t compress_above = 0) {
  for (const auto& key : keys) {
    if (!peer.set(key, value, compress_above)) failed(peer, "set " + key + " failed");
  }
}

void get_all(Peer& peer, const std::vector<std::string>& keys, std::size_t size, std::size_t ops) {
  for (std::size_t i = 0; i < ops; ++i) {
    const auto& key = keys[i % keys.size()];
    auto got = peer.get(key);
    if (!got || *got != size) failed(peer, "get " + key + " missed");
  }
}

Workload sequential_get(std::string name, std::size_t size, std::size_t ops) {
  Workload w{std::move(name), fmt::format("sequential get, {} B value, 1 server", size), "get"};
  w.ops = ops;
  w.raw_floor = true;
  w.floor_target = 0.95;
  w.prepare = [size](Peer& peer, std::size_t n) -> Run {
    auto keys = make_keys("seq", key_count);
    store_all(peer, keys, random_value(size));
    return [&peer, keys, size, n] { get_all(peer, keys, size, n); };
  };
  return w;
}

Workload sequential_set(std::string name, std::size_t size, std::size_t ops) {
  Workload w{std::move(name), fmt::format("sequential set, {} B value, 1 server", size), "set"};
  w.ops = ops;
  w.raw_floor = true;
  w.prepare = [size](Peer& peer, std::size_t n) -> Run {
    return [&peer, keys = make_keys("seq", key_count), value = random_value(size), n] {
      for (std::size_t i = 0; i < n; ++i) {
        if (!peer.set(keys[i % keys.size()], value)) failed(peer, "set failed");
      }
    };
  };
  return w;
}

Workload get_multi(std::string name, std::size_t servers, std::size_t ops, bool fast = false) {
  Workload w{std::move(name),
             fmt::format("get_multi of {} keys, 100 B values, {} server(s){}", key_count, servers,
                         fast ? " (memcache: get_multi_each, a visitor; libmemcached: the same fetch loop)" : ""),
             "get_multi"};
  w.servers = servers;
  w.ops = ops;
  w.target = 1.3;
  w.raw_floor = servers == 1;  // what the server and the kernel cost alone
  w.prepare = [fast](Peer& peer, std::size_t n) -> Run {
    auto keys = make_keys("multi", key_count);
    store_all(peer, keys, random_value(100));
    return [&peer, keys, n, fast] {
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t found = fast ? peer.get_multi_fast(keys, 100) : peer.get_multi(keys);
        if (found != keys.size()) failed(peer, "get_multi missed keys");
      }
    };
  };
  return w;
}

Workload set_multi(std::string name, std::size_t batch, std::size_t ops) {
  Workload w{
      std::move(name),
      fmt::format("set_multi of {} keys, 100 B values, 4 servers (libmemcached: {} sequential sets)", batch, batch),
      "key"};
  w.servers = 4;
  w.ops = ops;
  w.batch = batch;
  w.target = 10.0;
  w.prepare = [batch](Peer& peer, std::size_t n) -> Run {
    Items items;
    const std::string value = random_value(100);
    for (auto& key : make_keys("setmulti", batch)) items.emplace_back(std::move(key), value);
    return [&peer, items = std::move(items), n] {
      for (std::size_t done = 0; done < n; done += items.size()) {
        if (peer.set_multi(items) != 0) failed(peer, "set_multi left keys unstored");
      }
    };
  };
  return w;
}

// Each thread has its own peer (for this library, the same shared Client), set
// up and connected before the clock starts.
Workload threaded_get(std::string name, std::size_t ops) {
  Workload w{std::move(name),
             fmt::format("{} threads doing gets, 100 B values, 1 server (memcache: one shared Client; "
                         "libmemcached: a handle per thread)",
                         thread_count),
             "get"};
  w.ops = ops;
  w.batch = thread_count;
  w.prepare = [](Peer& peer, std::size_t n) -> Run {
    auto keys = make_keys("threads", key_count);
    store_all(peer, keys, random_value(100));
    auto peers = std::make_shared<std::vector<std::unique_ptr<Peer>>>();
    for (std::size_t t = 0; t < thread_count; ++t) {
      peers->push_back(peer.for_thread());
      get_all(*peers->back(), keys, 100, 1);
    }
    return [peers, keys, n] {
      std::vector<std::exception_ptr> errors(peers->size());
      std::vector<std::thread> threads;
      for (std::size_t t = 0; t < peers->size(); ++t) {
        threads.emplace_back([&, t] {
          try {
            get_all(*(*peers)[t], keys, 100, n / peers->size());
          } catch (...) {
            errors[t] = std::current_exception();
          }
        });
      }
      for (auto& th : threads) th.join();
      for (auto& e : errors) {
        if (e) std::rethrow_exception(e);
      }
    };
  };
  return w;
}

constexpr std::size_t big_value = 100 * 1024;
constexpr std::string_view compression_note =
    "memcache compresses above 1 KiB (zlib format, libdeflate level 5); libmemcached stores it raw";

Workload compressed_set(std::string name, std::size_t ops) {
  Workload w{std::move(name), fmt::format("set of a 100 KiB compressible value, 1 server ({})", compression_note),
             "set"};
  w.ops = ops;
  w.prepare = [](Peer& peer, std::size_t n) -> Run {
    return [&peer, key = make_keys("big", 1).front(), value = compressible_value(big_value), n] {
      for (std::size_t i = 0; i < n; ++i) {
        if (!peer.set(key, value, min_compress_len)) failed(peer, "set failed");
      }
    };
  };
  return w;
}

Workload compressed_get(std::string name, std::size_t ops) {
  Workload w{std::move(name), fmt::format("get of a 100 KiB compressible value, 1 server ({})", compression_note),
             "get"};
  w.ops = ops;
  w.prepare = [](Peer& peer, std::size_t n) -> Run {
    auto keys = make_keys("big", 1);
    store_all(peer, keys, compressible_value(big_value), min_compress_len);
    return [&peer, keys, n] { get_all(peer, keys, big_value, n); };
  };
  return w;
}

}  // namespace

std::vector<Workload> workloads() {
  std::vector<Workload> all;
  all.push_back(sequential_get("get_100B", 100, 20000));
  all.push_back(sequential_get("get_10KB", 10 * 1024, 10000));
  all.push_back(sequential_set("set_100B", 100, 20000));
  all.push_back(sequential_set("set_10KB", 10 * 1024, 10000));
  all.push_back(get_multi("get_multi_1srv", 1, 2000));
  all.push_back(get_multi("get_multi_4srv", 4, 2000));
  all.push_back(get_multi("get_multi_each_1srv", 1, 2000, true));
  all.push_back(get_multi("get_multi_each_4srv", 4, 2000, true));
  all.push_back(set_multi("set_multi_4srv", 1000, 20000));
  all.push_back(threaded_get("threads_8_get", 40000));
  all.push_back(compressed_set("compress_100KB_set", 1000));
  all.push_back(compressed_get("compress_100KB_get", 2000));
  return all;
}

}  // namespace memcache::bench
