// Ketama compared with libmemcached itself: the same server list configured
// in a memcached_st (no connection is ever made) and in our ServerSelector must
// send every key to the same server.
#include <catch2/catch.hpp>

#include <libmemcached/memcached.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/address.hpp"
#include "cluster/hashing/ketama.hpp"
#include "cluster/hashing/server_selector.hpp"

namespace {

using memcache::Hashing;
using memcache::detail::Address;
using memcache::detail::Ketama;
using memcache::detail::ketama_hash;
using memcache::detail::ketama_name;
using memcache::detail::ketama_point_count;
using memcache::detail::parse_address;
using memcache::detail::ServerSelector;

struct Spec {
  std::string spec;
  unsigned weight;
};

struct List {
  std::string name;
  std::vector<Spec> servers;
};

std::vector<Spec> equal_servers(std::size_t count) {
  std::vector<Spec> servers;
  for (std::size_t i = 1; i <= count; ++i) servers.push_back({"10.2.0." + std::to_string(i), 1});
  return servers;
}

const std::vector<List>& lists() {
  static const std::vector<List> all = {
      {"1 server", {{"10.0.0.1:11211", 1}}},
      {"3 servers", {{"cache-a.example.com", 1}, {"10.0.0.2:11212", 3}, {"cache-c.example.com:22122", 2}}},
      {"8 servers",
       {{"10.1.0.1", 1},
        {"10.1.0.2:11211", 2},
        {"mc-3.internal:11311", 5},
        {"mc-4.internal", 1},
        {"192.168.7.5:21211", 10},
        {"inet:10.1.0.6:11212", 3},
        {"memcache-7.example.org:11211", 4},
        {"127.0.0.1:40000", 7}}},
      {"unix socket, IPv6, weight 0",
       {{"unix:/var/run/memcached/mc.sock", 2},
        {"inet6:[::1]:11211", 1},
        {"inet6:[2001:db8::5]:11300", 3},
        {"localhost:11212", 0}}},
      {"25 equal servers (156 points each in float32)", equal_servers(25)},
      {"5 servers weighted 1-2-3-4-15 (float32 loses 4 points on four of them)",
       {{"10.4.0.1", 1}, {"10.4.0.2", 2}, {"10.4.0.3", 3}, {"10.4.0.4", 4}, {"10.4.0.5", 15}}},
      {"a server too light for any point", {{"10.3.0.1", 1}, {"10.3.0.2", 1000}}},
  };
  return all;
}

// libmemcached's continuum item (src/libmemcached/continuum.hpp, not
// installed): read only to compare the continuum point by point.
struct LibmemcachedPoint {
  std::uint32_t index;
  std::uint32_t value;
};

// A memcached_st set up as the brief of Hashing::ketama says: consistent
// ketama distribution with MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED.
class Libmemcached {
 public:
  explicit Libmemcached(const std::vector<Spec>& servers) : memc_(memcached_create(nullptr), memcached_free) {
    REQUIRE(memc_ != nullptr);
    REQUIRE(memcached_behavior_set(memc_.get(), MEMCACHED_BEHAVIOR_DISTRIBUTION,
                                   MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA) == MEMCACHED_SUCCESS);
    REQUIRE(memcached_behavior_set(memc_.get(), MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1) == MEMCACHED_SUCCESS);
    for (const Spec& s : servers) {
      const Address a = parse_address(s.spec);
      const memcached_return_t rc =
          a.family == Address::Family::unix_socket
              ? memcached_server_add_unix_socket_with_weight(memc_.get(), a.path.c_str(), s.weight)
              : memcached_server_add_with_weight(memc_.get(), a.host.c_str(), a.port, s.weight);
      REQUIRE(rc == MEMCACHED_SUCCESS);
    }
    REQUIRE(memcached_server_count(memc_.get()) == servers.size());
    REQUIRE(memcached_behavior_get(memc_.get(), MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED) == 1);
    REQUIRE(memcached_behavior_get(memc_.get(), MEMCACHED_BEHAVIOR_HASH) == MEMCACHED_HASH_MD5);
  }

  std::size_t server_for(std::string_view key) const {
    return memcached_generate_hash(memc_.get(), key.data(), key.size());
  }

  std::vector<LibmemcachedPoint> continuum() const {
    const auto* first = reinterpret_cast<const LibmemcachedPoint*>(memc_->ketama.continuum);
    return {first, first + memc_->ketama.continuum_points_counter};
  }

 private:
  std::unique_ptr<memcached_st, decltype(&memcached_free)> memc_;
};

std::vector<ServerSelector::Entry> entries(const std::vector<Spec>& servers) {
  std::vector<ServerSelector::Entry> out;
  for (const Spec& s : servers) out.push_back({parse_address(s.spec), s.weight});
  return out;
}

Ketama continuum(const std::vector<Spec>& servers) {
  std::vector<Ketama::Server> named;
  for (const Spec& s : servers) named.push_back({ketama_name(parse_address(s.spec)), s.weight});
  return Ketama(named);
}

// Printable keys of 1-250 bytes, the same every run.
std::vector<std::string> random_keys(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> length(1, 250);
  std::uniform_int_distribution<int> byte(0x21, 0x7e);
  std::vector<std::string> keys(count);
  for (std::string& key : keys) {
    key.resize(length(rng));
    for (char& c : key) c = static_cast<char>(byte(rng));
  }
  return keys;
}

constexpr std::size_t key_count = 10000;

std::vector<std::size_t> points_per_server(const std::vector<Ketama::Point>& points, std::size_t servers) {
  std::vector<std::size_t> counts(servers, 0);
  for (const Ketama::Point& p : points) ++counts[p.server];
  return counts;
}

std::vector<std::size_t> points_per_server(const std::vector<LibmemcachedPoint>& points, std::size_t servers) {
  std::vector<std::size_t> counts(servers, 0);
  for (const LibmemcachedPoint& p : points) ++counts[p.index];
  return counts;
}

const auto all_usable = [](std::size_t) { return true; };

}  // namespace

TEST_CASE("ketama key hash is libmemcached's MD5 hash", "[unit][ketama]") {
  CHECK(ketama_hash("") == 0xd98c1dd4U);  // MD5("") = d41d8cd9...: bytes 0-3, little-endian
  std::size_t mismatches = 0;
  for (const std::string& key : random_keys(key_count, 7)) {
    if (ketama_hash(key) != memcached_generate_hash_value(key.data(), key.size(), MEMCACHED_HASH_MD5)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("ketama point names are libmemcached's", "[unit][ketama]") {
  CHECK(ketama_name(parse_address("10.0.0.1")) == "10.0.0.1");
  CHECK(ketama_name(parse_address("10.0.0.1:11211")) == "10.0.0.1");
  CHECK(ketama_name(parse_address("Cache.Example.com:11212")) == "Cache.Example.com:11212");
  CHECK(ketama_name(parse_address("inet6:[::1]:11211")) == "::1");
  CHECK(ketama_name(parse_address("inet6:[::1]:11300")) == "::1:11300");
  CHECK(ketama_name(parse_address("unix:/tmp/mc.sock")) == "/tmp/mc.sock:0");
}

TEST_CASE("ketama maps random keys exactly as libmemcached does", "[unit][ketama]") {
  std::uint32_t seed = 1;
  for (const List& list : lists()) {
    INFO(list.name);
    const Libmemcached reference(list.servers);
    const ServerSelector ring(entries(list.servers), Hashing::ketama);
    std::size_t compared = 0;
    std::size_t mismatches = 0;
    std::vector<std::size_t> per_server(list.servers.size(), 0);
    for (const std::string& key : random_keys(key_count, seed++)) {
      const std::size_t ours = ring.first_choice(key);
      ++compared;
      if (ours != reference.server_for(key)) ++mismatches;
      ++per_server.at(ours);
    }
    std::cout << "ketama vs libmemcached, " << list.name << ": " << compared << " keys compared, " << mismatches
              << " mismatches\n";
    CHECK(compared == key_count);
    CHECK(mismatches == 0);
    if (list.servers.size() > 1 && list.servers.size() < 25) {
      // Not a degenerate mapping: every server with points got keys.
      const std::vector<std::size_t> points = points_per_server(continuum(list.servers).points(), list.servers.size());
      for (std::size_t i = 0; i < per_server.size(); ++i) CHECK((per_server[i] > 0) == (points[i] > 0));
    }
  }
}

TEST_CASE("ketama continuum equals libmemcached's point by point", "[unit][ketama]") {
  for (const List& list : lists()) {
    INFO(list.name);
    const std::vector<LibmemcachedPoint> theirs = Libmemcached(list.servers).continuum();
    const std::vector<Ketama::Point> ours = continuum(list.servers).points();
    REQUIRE(ours.size() == theirs.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      if (ours[i].value != theirs[i].value || ours[i].server != theirs[i].index) ++differing;
    }
    CHECK(differing == 0);
  }
}

TEST_CASE("ketama point counts follow libmemcached's float32 arithmetic", "[unit][ketama]") {
  SECTION("25 equal servers: 156 points each, where doubles would give 160") {
    CHECK(ketama_point_count(1, 25, 25) == 156);
    CHECK(std::floor(1.0 / 25.0 * 160 / 4 * 25 + 1e-10) * 4 == 160.0);
    const std::vector<Spec> servers = equal_servers(25);
    const std::vector<LibmemcachedPoint> theirs = Libmemcached(servers).continuum();
    CHECK(theirs.size() == 25 * 156);
    CHECK(points_per_server(theirs, 25) == std::vector<std::size_t>(25, 156));
    CHECK(points_per_server(continuum(servers).points(), 25) == std::vector<std::size_t>(25, 156));
  }
  SECTION("weights 1-2-3-4-15 of 25 on 5 servers: 28, 60, 92, 124, 480") {
    const std::vector<Spec> servers = {
        {"10.4.0.1", 1}, {"10.4.0.2", 2}, {"10.4.0.3", 3}, {"10.4.0.4", 4}, {"10.4.0.5", 15}};
    const std::vector<std::size_t> expected = {28, 60, 92, 124, 480};
    CHECK(points_per_server(Libmemcached(servers).continuum(), 5) == expected);
    CHECK(points_per_server(continuum(servers).points(), 5) == expected);
    CHECK(std::floor(1.0 / 25.0 * 160 / 4 * 5 + 1e-10) * 4 == 32.0);  // doubles: 4 more
  }
  SECTION("a weight of 0 counts as 1, and a tiny weight can get no point") {
    CHECK(ketama_point_count(0, 2, 2) == 160);
    CHECK(ketama_point_count(1, 1001, 2) == 0);
    CHECK(points_per_server(Libmemcached({{"a", 1}, {"b", 1000}}).continuum(), 2) == std::vector<std::size_t>{0, 316});
  }
}

TEST_CASE("ketama walks past unusable servers along the continuum", "[unit][ketama]") {
  const std::vector<Spec> servers = lists()[1].servers;  // 3 servers, weights 1, 3, 2
  const ServerSelector ring(entries(servers), Hashing::ketama);
  const std::vector<LibmemcachedPoint> points = Libmemcached(servers).continuum();

  SECTION("known keys") {
    // {key, first choice, choice while the first is dead}, read off libmemcached
    // 1.1.4's continuum for this list.
    struct Expectation {
      const char* key;
      std::size_t first;
      std::size_t second;
    };
    for (const Expectation& e : {Expectation{"foo", 0, 1}, Expectation{"user_001", 2, 0},
                                 Expectation{"session:42", 2, 1}, Expectation{"ob", 1, 2}}) {
      INFO(e.key);
      CHECK(ring.first_choice(e.key) == e.first);
      CHECK(ring.pick(e.key, std::nullopt, [&](std::size_t s) { return s != e.first; }) == e.second);
    }
  }

  SECTION("the next point of another server, as read from libmemcached's continuum") {
    for (std::size_t dead = 0; dead < servers.size(); ++dead) {
      std::size_t moved = 0;
      std::map<std::size_t, std::size_t> moved_to;
      for (const std::string& key : random_keys(key_count, 100 + static_cast<std::uint32_t>(dead))) {
        const std::uint32_t h = memcached_generate_hash_value(key.data(), key.size(), MEMCACHED_HASH_MD5);
        auto at = std::lower_bound(points.begin(), points.end(), h,
                                   [](const LibmemcachedPoint& p, std::uint32_t v) { return p.value < v; });
        std::size_t i = at == points.end() ? 0 : static_cast<std::size_t>(at - points.begin());
        while (points[i].index == dead) i = (i + 1) % points.size();
        const auto got = ring.pick(key, std::nullopt, [&](std::size_t s) { return s != dead; });
        REQUIRE(got.has_value());
        CHECK(*got == points[i].index);
        if (ring.first_choice(key) == dead) {
          ++moved;
          ++moved_to[*got];
        } else {
          CHECK(*got == ring.first_choice(key));  // only the dead server's keys move
        }
      }
      INFO("dead server " << dead);
      CHECK(moved > 0);
      CHECK(moved_to.size() == servers.size() - 1);  // they spread over every other server
    }
  }

  SECTION("each server is asked once, then the pick gives up") {
    std::vector<std::size_t> asked(servers.size(), 0);
    const auto none = ring.pick("foo", std::nullopt, [&](std::size_t s) {
      ++asked.at(s);
      return false;
    });
    CHECK_FALSE(none.has_value());
    CHECK(asked == std::vector<std::size_t>(servers.size(), 1));
  }

  SECTION("a server too light for any point is still tried last") {
    const ServerSelector skewed(entries({{"10.3.0.1", 1}, {"10.3.0.2", 1000}}), Hashing::ketama);
    CHECK(skewed.first_choice("foo") == 1);
    CHECK(skewed.pick("foo", std::nullopt, [](std::size_t s) { return s == 0; }) == std::optional<std::size_t>(0));
    CHECK_FALSE(skewed.pick("foo", std::nullopt, [](std::size_t) { return false; }).has_value());
  }
}

TEST_CASE("ketama with an explicit hash selects point hash % points", "[unit][ketama]") {
  const std::vector<Spec> servers = lists()[2].servers;  // 8 servers
  const ServerSelector ring(entries(servers), Hashing::ketama);
  const std::vector<Ketama::Point> points = continuum(servers).points();
  for (std::uint64_t h : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42}, std::uint64_t{123456789},
                          (std::uint64_t{1} << 40) + 7}) {
    INFO("hash " << h);
    const std::size_t expected = points[static_cast<std::size_t>(h % points.size())].server;
    CHECK(ring.pick("ignored", h, all_usable) == std::optional<std::size_t>(expected));
    // Unusable: on to the next point of another server.
    std::size_t i = static_cast<std::size_t>(h % points.size());
    while (points[i].server == expected) i = (i + 1) % points.size();
    CHECK(ring.pick("ignored", h, [&](std::size_t s) { return s != expected; }) ==
          std::optional<std::size_t>(points[i].server));
  }
  // Small hashes spread over servers, as python-memcached's (hash, key) tuples do.
  std::vector<std::size_t> used;
  for (std::uint64_t h = 0; h < 200; ++h) used.push_back(*ring.pick("k", h, all_usable));
  std::sort(used.begin(), used.end());
  CHECK(std::unique(used.begin(), used.end()) - used.begin() == 8);
}
