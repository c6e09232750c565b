// ServerSelector (python hashing) against what python-memcached itself picks.
// data/python_vectors.txt is written by data/gen_python_vectors.py with
// Debian's python3-memcache; see that script for the format.

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <memcache/options.hpp>

#include "cluster/address.hpp"
#include "cluster/hashing/python_hash.hpp"
#include "cluster/hashing/server_selector.hpp"

#ifndef MEMCACHE_UNIT_DATA_DIR
#error "MEMCACHE_UNIT_DATA_DIR must name tests/unit/data"
#endif

using memcache::Hashing;
using memcache::detail::parse_address;
using memcache::detail::python_hash;
using memcache::detail::ServerSelector;

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, sep)) out.push_back(item);
  return out;
}

std::optional<std::size_t> parse_pick(const std::string& s) {
  if (s == "-") return std::nullopt;
  return static_cast<std::size_t>(std::stoul(s));
}

struct Vectors {
  struct Key {
    std::string bytes;
    std::uint32_t h159;
    std::uint32_t h160;
  };
  struct Config {
    std::vector<unsigned> weights;
    std::set<std::size_t> dead;
    std::map<int, std::vector<std::optional<std::size_t>>> picks;  // rule -> per key
    std::vector<std::tuple<int, std::uint64_t, std::optional<std::size_t>>> explicit_picks;
  };
  std::vector<Key> keys;
  std::map<int, Config> configs;
};

const Vectors& vectors() {
  static const Vectors v = [] {
    Vectors out;
    std::ifstream in(MEMCACHE_UNIT_DATA_DIR "/python_vectors.txt");
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream f(line);
      std::string tag;
      f >> tag;
      if (tag == "K") {
        std::size_t index = 0;
        std::string hex;
        Vectors::Key k{};
        f >> index >> hex >> k.h159 >> k.h160;
        REQUIRE(index == out.keys.size());
        k.bytes = from_hex(hex);
        out.keys.push_back(std::move(k));
      } else if (tag == "C") {
        int id = 0;
        std::string weights, dead;
        f >> id >> weights >> dead;
        Vectors::Config& c = out.configs[id];
        for (const std::string& w : split(weights, ',')) c.weights.push_back(static_cast<unsigned>(std::stoul(w)));
        if (dead != "-") {
          for (const std::string& d : split(dead, ',')) c.dead.insert(std::stoul(d));
        }
      } else if (tag == "P") {
        int id = 0, rule = 0;
        std::string picks;
        f >> id >> rule >> picks;
        auto& list = out.configs.at(id).picks[rule];
        for (const std::string& p : split(picks, ',')) list.push_back(parse_pick(p));
      } else if (tag == "X") {
        int id = 0, rule = 0;
        std::uint64_t hash = 0;
        std::string pick;
        f >> id >> rule >> hash >> pick;
        out.configs.at(id).explicit_picks.emplace_back(rule, hash, parse_pick(pick));
      } else {
        FAIL("unknown line in python_vectors.txt: " << line.substr(0, 40));
      }
    }
    return out;
  }();
  return v;
}

ServerSelector make_ring(const std::vector<unsigned>& weights, Hashing hashing) {
  std::vector<ServerSelector::Entry> entries;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    entries.push_back({parse_address("127.0.0.1:" + std::to_string(11211 + i)), weights[i]});
  }
  return ServerSelector(entries, hashing);
}

std::string describe(const std::optional<std::size_t>& s) { return s ? std::to_string(*s) : "none"; }

}  // namespace

TEST_CASE("python_hash equals python-memcached's cmemcache_hash for thousands of keys", "[unit]") {
  const Vectors& v = vectors();
  REQUIRE(v.keys.size() >= 3000);
  std::size_t mismatches = 0, differ = 0;
  for (const auto& k : v.keys) {
    const std::uint32_t old_rule = python_hash(k.bytes, true);
    const std::uint32_t new_rule = python_hash(k.bytes, false);
    if (old_rule != k.h159 || new_rule != k.h160) {
      if (++mismatches <= 5) {
        UNSCOPED_INFO("key of " << k.bytes.size() << " bytes: got " << old_rule << "/" << new_rule << ", python "
                                << k.h159 << "/" << k.h160);
      }
    }
    // The 1.60+ rule differs from 1.59's only where the hash is 0.
    if (old_rule != new_rule) {
      ++differ;
      CHECK(new_rule == 0);
      CHECK(old_rule == 1);
    }
  }
  CHECK(mismatches == 0);
  CHECK(differ >= 12);  // the file holds keys hashing to 0 on purpose
}

TEST_CASE("ServerSelector::pick chooses python-memcached's server, dead servers included", "[unit]") {
  const Vectors& v = vectors();
  REQUIRE(v.configs.size() >= 8);
  std::size_t compared = 0;
  for (const auto& [id, config] : v.configs) {
    for (const auto& [rule, picks] : config.picks) {
      const Hashing hashing = rule == 159 ? Hashing::python_1_59 : Hashing::python;
      REQUIRE((rule == 159 || rule == 160));
      REQUIRE(picks.size() == v.keys.size());
      const ServerSelector ring = make_ring(config.weights, hashing);
      const auto& dead = config.dead;
      const auto usable = [&dead](std::size_t s) { return dead.count(s) == 0; };
      std::size_t mismatches = 0;
      for (std::size_t i = 0; i < v.keys.size(); ++i) {
        const std::optional<std::size_t> got = ring.pick(v.keys[i].bytes, std::nullopt, usable);
        ++compared;
        if (got != picks[i] && ++mismatches <= 5) {
          UNSCOPED_INFO("config " << id << " rule " << rule << " key #" << i << ": got " << describe(got) << ", python "
                                  << describe(picks[i]));
        }
      }
      INFO("config " << id << " rule " << rule);
      CHECK(mismatches == 0);
    }
  }
  CHECK(compared >= 50000);
}

TEST_CASE("ServerSelector::pick with an explicit hash chooses python-memcached's server", "[unit]") {
  const Vectors& v = vectors();
  std::size_t compared = 0;
  for (const auto& [id, config] : v.configs) {
    const auto& dead = config.dead;
    const auto usable = [&dead](std::size_t s) { return dead.count(s) == 0; };
    const ServerSelector old_ring = make_ring(config.weights, Hashing::python_1_59);
    const ServerSelector new_ring = make_ring(config.weights, Hashing::python);
    for (const auto& [rule, hash, expected] : config.explicit_picks) {
      const ServerSelector& ring = rule == 159 ? old_ring : new_ring;
      INFO("config " << id << " rule " << rule << " hash " << hash);
      CHECK(ring.pick("ignored", hash, usable) == expected);
      ++compared;
    }
  }
  CHECK(compared >= 400);
}

TEST_CASE("ServerSelector: weights, first_choice and no servers", "[unit]") {
  const auto all = [](std::size_t) { return true; };
  const auto none = [](std::size_t) { return false; };
  // One server takes every key.
  const ServerSelector one = make_ring({1}, Hashing::python);
  CHECK(one.pick("foo", std::nullopt, all) == std::optional<std::size_t>(0));
  CHECK(one.first_choice("anything") == 0);
  CHECK(one.pick("foo", std::nullopt, none) == std::nullopt);

  // buckets [0, 1, 1, 2, 2, 2]: foo hashes to 3187, 3187 % 6 == 1 -> server 1.
  const ServerSelector weighted = make_ring({1, 2, 3}, Hashing::python);
  CHECK(weighted.first_choice("foo") == 1);
  // An explicit hash indexes the buckets directly.
  for (std::uint64_t h = 0; h < 12; ++h) {
    const std::size_t expected[] = {0, 1, 1, 2, 2, 2};
    CHECK(weighted.pick("foo", h, all) == std::optional<std::size_t>(expected[h % 6]));
  }
  // "ob" hashes to 0 (bucket 0) under 1.60+ and to 1 (bucket 1) under 1.59.
  CHECK(weighted.first_choice("ob") == 0);
  CHECK(make_ring({1, 2, 3}, Hashing::python_1_59).first_choice("ob") == 1);

  // usable is asked at most 10 times, then the call fails.
  int asked = 0;
  CHECK(weighted.pick("foo", std::nullopt, [&](std::size_t) {
    ++asked;
    return false;
  }) == std::nullopt);
  CHECK(asked == 10);

  // A weight of 0 leaves a server out of the buckets.
  const ServerSelector zero = make_ring({0, 1}, Hashing::python);
  for (const char* k : {"a", "b", "foo", "ob", "key1"}) CHECK(zero.first_choice(k) == 1);

  // No servers: nothing to pick.
  const ServerSelector empty = make_ring({}, Hashing::python);
  CHECK(empty.pick("foo", std::nullopt, all) == std::nullopt);
}
