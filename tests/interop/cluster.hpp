#ifndef MEMCACHE_TESTS_INTEROP_CLUSTER_HPP
#define MEMCACHE_TESTS_INTEROP_CLUSTER_HPP

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <memcache/memcache.hpp>

#include "memcached_server.hpp"

namespace memcache::interop {

/// Three real memcached servers on free ports, listed with weights 1, 2, 3,
/// so the bucket list is [s0, s1, s1, s2, s2, s2] in both languages.
struct Cluster {
  static constexpr unsigned weights[3] = {1, 2, 3};

  Cluster() {
    for (int i = 0; i < 3; ++i) servers.push_back(std::make_unique<test::MemcachedServer>());
  }

  std::vector<Server> list() const {
    std::vector<Server> out;
    for (std::size_t i = 0; i < servers.size(); ++i) out.emplace_back(servers[i]->spec(), weights[i]);
    return out;
  }

  /// Options for a Client that shares the cache with Debian 12's
  /// python3-memcache. That package is python-memcached 1.59 (its
  /// `__version__` still says "1.58"), whose cmemcache_hash ends in `or 1`:
  /// a key whose hash is 0 (e.g. "ob") goes to bucket 1, not bucket 0, and
  /// the rehash over a dead server turns 0 into 1 the same way. Hence
  /// Hashing::python_1_59; the default Hashing::python follows 1.60+.
  static Options options() {
    Options o;
    o.hashing = Hashing::python_1_59;
    o.socket_timeout = std::chrono::milliseconds(2000);
    o.connect_timeout = std::chrono::milliseconds(2000);
    return o;
  }

  Client client(Options o = options()) const { return Client(list(), o); }

  /// Which server holds each key, asked of every server alone through a
  /// single-server C++ Client (no hashing involved); servers in `skip` are
  /// not asked. Keys found on several servers are counted in `duplicates`.
  std::map<std::string, std::size_t> cpp_placement(const std::vector<std::string>& keys, std::string_view prefix = "",
                                                   const std::vector<std::size_t>& skip = {},
                                                   std::size_t* duplicates = nullptr) const {
    std::map<std::string, std::size_t> out;
    std::size_t dup = 0;
    for (std::size_t i = 0; i < servers.size(); ++i) {
      if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
      Client single({servers[i]->spec()}, options());
      for (const auto& [key, value] : single.get_multi<Value>(keys, prefix)) {
        (void)value;
        if (!out.emplace(key, i).second) ++dup;
      }
    }
    if (duplicates) *duplicates = dup;
    return out;
  }

  /// flush_all on each live server, asked alone.
  void flush(const std::vector<std::size_t>& skip = {}) const {
    for (std::size_t i = 0; i < servers.size(); ++i) {
      if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
      Client({servers[i]->spec()}).flush_all();
    }
  }

  std::vector<std::unique_ptr<test::MemcachedServer>> servers;
};

}  // namespace memcache::interop

#endif  // MEMCACHE_TESTS_INTEROP_CLUSTER_HPP
