// Key placement shared with python-memcached: on the same weighted server list
// both clients put every key on the same server, checked by asking each
// server alone; also while a server is dead (python-memcached's rehash of
// str(h) + str(i)), after it returns, and with key_prefix.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <memcache/memcache.hpp>

#include "cluster.hpp"
#include "peer.hpp"

using memcache::Client;
using memcache::interop::Cluster;
using memcache::interop::PyValue;
using memcache::interop::run_peer;
namespace op = memcache::interop::op;

namespace {

/// Hundreds of keys: plain, python-memcached's hash vectors ("ob" hashes to 0,
/// which 1.59 turns into 1), UTF-8, and one of the longest length allowed.
std::vector<std::string> placement_keys(std::size_t plain = 500) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < plain; ++i) keys.push_back("key:" + std::to_string(i));
  for (const char* k : {"ob", "foo", "key1", "a", "abc", "hello_world", "memcached", "0"}) keys.emplace_back(k);
  for (int i = 0; i < 40; ++i) {
    keys.push_back("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87:" + std::to_string(i));  // "ключ:<i>"
    keys.push_back("\xe6\x97\xa5\xe6\x9c\xac:" + std::to_string(i));          // "日本:<i>"
  }
  keys.push_back(std::string(250, 'L'));
  return keys;
}

/// How many keys `a` places differently from `b`. A key absent from a
/// placement is on no server; it matches only a key absent from the other.
std::size_t mismatches(const std::vector<std::string>& keys, const std::map<std::string, std::size_t>& a,
                       const std::map<std::string, std::size_t>& b) {
  std::size_t n = 0;
  for (const auto& k : keys) {
    auto ia = a.find(k);
    auto ib = b.find(k);
    const bool in_a = ia != a.end();
    const bool in_b = ib != b.end();
    if (in_a != in_b || (in_a && ia->second != ib->second)) ++n;
  }
  return n;
}

std::map<std::string, std::size_t> where_of(const std::vector<std::string>& keys, const memcache::interop::Json& r) {
  std::map<std::string, std::size_t> out;
  const auto& servers = r["servers"];
  for (std::size_t i = 0; i < keys.size(); ++i) {
    long long s = servers[i].as_int();
    if (s >= 0) out.emplace(keys[i], static_cast<std::size_t>(s));
  }
  return out;
}

std::string per_server(const std::map<std::string, std::size_t>& placement, std::size_t servers) {
  std::vector<std::size_t> count(servers);
  for (const auto& [k, s] : placement) {
    (void)k;
    ++count[s];
  }
  std::string out;
  for (std::size_t i = 0; i < servers; ++i) out += (i ? "/" : "") + std::to_string(count[i]);
  return out;
}

struct Totals {
  std::size_t checked = 0;
  std::size_t mismatched = 0;
};

/// One round on the cluster as it is now (servers in `dead` are down):
/// python-memcached writes every key, each server alone says which keys it
/// holds; then the C++ client writes every key, each server alone (through
/// single-server python-memcached clients) says again. The two placements
/// must be equal, and equal python-memcached's own `_get_server` choice.
/// A key whose 10 tries all hit dead servers goes nowhere in both (python-
/// memcached drops it silently, the C++ client reports it not stored): those
/// keys must be the same too. Returns the placement.
std::map<std::string, std::size_t> round_trip(const Cluster& cluster, Client& mc, const std::vector<std::string>& keys,
                                              std::string_view prefix, const std::vector<std::size_t>& dead,
                                              const char* label, Totals& totals) {
  INFO(label);
  const auto list = cluster.list();
  cluster.flush(dead);

  // Python writes; the C++ client reads it all back; each server alone tells.
  std::vector<std::pair<std::string, PyValue>> items;
  for (const auto& k : keys) items.emplace_back(k, PyValue::py_bytes("py"));
  auto py = run_peer(list, {op::set_multi(items, prefix), op::where(keys, prefix)});
  REQUIRE(py[0]["notstored"].size() == 0);
  auto where = where_of(keys, py[1]);
  std::vector<std::string> nowhere;  // python-memcached found no live server in 10 tries
  for (const auto& k : keys) {
    if (!where.count(k)) nowhere.push_back(k);
  }
  if (dead.empty()) CHECK(nowhere.empty());
  const std::size_t placed = keys.size() - nowhere.size();
  std::size_t dup = 0;
  auto python_wrote = cluster.cpp_placement(keys, prefix, dead, &dup);
  CHECK(dup == 0);
  CHECK(python_wrote.size() == placed);
  CHECK(mismatches(keys, python_wrote, where) == 0);
  auto read = mc.get_multi(keys, prefix);
  CHECK(read.size() == placed);
  std::size_t wrong_values = 0;
  for (const auto& [k, v] : read) wrong_values += v != "py";
  CHECK(wrong_values == 0);

  // C++ writes; python-memcached reads it all back; each server alone tells.
  cluster.flush(dead);
  std::map<std::string, std::string> batch;
  for (const auto& k : keys) batch.emplace(k, "cpp");
  auto not_stored = mc.set_multi(batch, 0, prefix);
  std::sort(not_stored.begin(), not_stored.end());
  std::sort(nowhere.begin(), nowhere.end());
  CHECK(not_stored == nowhere);
  auto back = run_peer(list, {op::probe(keys, prefix, dead), op::get_multi(keys, prefix)});
  auto cpp_wrote = memcache::interop::placement_of(back[0], &dup);
  CHECK(dup == 0);
  CHECK(cpp_wrote.size() == placed);
  auto py_read = memcache::interop::items_of(back[1]);
  CHECK(py_read.size() == placed);
  wrong_values = 0;
  for (const auto& [k, v] : py_read) wrong_values += !(v == PyValue::py_bytes("cpp"));
  CHECK(wrong_values == 0);

  const std::size_t bad = mismatches(keys, python_wrote, cpp_wrote);
  CHECK(bad == 0);
  totals.checked += keys.size();
  totals.mismatched += bad;
  std::string lost;
  for (const auto& k : nowhere) lost += " \"" + k + "\"";
  WARN(label << ": " << keys.size() << " keys checked per server, " << bad
             << " mismatches; keys per server (weights 1,2,3): " << per_server(cpp_wrote, list.size())
             << "; on no server after 10 tries (both clients):" << (lost.empty() ? " none" : lost));
  return cpp_wrote;
}

}  // namespace

TEST_CASE("both clients place every key on the same server with weights and a dead server and its return",
          "[interop]") {
  Cluster cluster;
  const auto keys = placement_keys();
  Totals totals;
  auto mc = cluster.client();
  // A second client that learns of the return by dead_retry running out.
  auto opts = Cluster::options();
  opts.dead_retry = std::chrono::seconds(1);
  auto short_retry = cluster.client(opts);

  const auto alive = round_trip(cluster, mc, keys, "", {}, "all alive", totals);
  // The weights show: the heavier a server, the more keys it holds.
  std::vector<std::size_t> count(3);
  for (const auto& [k, s] : alive) {
    (void)k;
    ++count[s];
  }
  CHECK(count[0] < count[1]);
  CHECK(count[1] < count[2]);
  CHECK(short_retry.get_multi(keys).size() == keys.size());  // connects to all three

  // Kill the heaviest server. Python notices it on connect in each run; the
  // C++ clients notice it on their next call, through pooled connections
  // the server's death closed.
  const std::size_t victim = 2;
  cluster.servers[victim]->kill();
  const auto on_live = static_cast<std::size_t>(
      std::count_if(keys.begin(), keys.end(), [&](const std::string& k) { return alive.at(k) != victim; }));
  CHECK(mc.get_multi(keys).size() == on_live);
  CHECK(short_retry.get_multi(keys).size() == on_live);

  const auto while_dead = round_trip(cluster, mc, keys, "", {victim}, "server 2 (weight 3) dead", totals);
  // Keys on live servers stay; the dead server's keys move (rehash).
  std::size_t moved = 0;
  std::size_t lost = 0;
  std::size_t stayed_wrong = 0;
  for (const auto& k : keys) {
    if (alive.at(k) == victim) {
      ++(while_dead.count(k) ? moved : lost);
    } else {
      stayed_wrong += while_dead.count(k) == 0 || while_dead.at(k) != alive.at(k);
    }
  }
  CHECK(moved > 0);
  CHECK(stayed_wrong == 0);
  WARN("rehash past the dead server: of " << (moved + lost) << " keys on it, " << moved << " moved to live servers and "
                                          << lost << " found none in 10 tries; all other keys stayed");

  // The same rehash from a C++ client that never talked to the dead server
  // (it notices on connect, as python-memcached does).
  {
    cluster.flush({victim});
    auto fresh = cluster.client();
    std::map<std::string, std::string> batch;
    for (const auto& k : keys) batch.emplace(k, "fresh");
    auto fresh_not_stored = fresh.set_multi(batch);
    CHECK(fresh_not_stored.size() == keys.size() - while_dead.size());
    auto fresh_wrote = memcache::interop::placement_of(run_peer(cluster.list(), {op::probe(keys, "", {victim})})[0]);
    const std::size_t bad = mismatches(keys, fresh_wrote, while_dead);
    CHECK(bad == 0);
    totals.checked += keys.size();
    totals.mismatched += bad;
  }

  // The server returns, empty. mc is told with forget_dead_hosts; the other
  // client waits out its dead_retry; python-memcached starts afresh.
  cluster.servers[victim]->restart();
  mc.forget_dead_hosts();
  const auto returned = round_trip(cluster, mc, keys, "", {}, "server 2 back (forget_dead_hosts)", totals);
  CHECK(mismatches(keys, returned, alive) == 0);

  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  const auto after_retry = round_trip(cluster, short_retry, keys, "", {}, "server 2 back (dead_retry over)", totals);
  CHECK(mismatches(keys, after_retry, alive) == 0);

  CHECK(totals.mismatched == 0);
  WARN("placement: " << totals.checked << " key placements checked, " << totals.mismatched << " mismatches");
}

TEST_CASE("key_prefix in set_multi and get_multi hashes the prefixed key as python-memcached does", "[interop]") {
  Cluster cluster;
  const auto list = cluster.list();
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back("user:" + std::to_string(i));
  const std::string prefix = "pfx:";
  Totals totals;
  auto mc = cluster.client();

  // Both directions (Python sets with the prefix, C++ gets with it, and the
  // reverse), placement checked on each server alone.
  const auto prefixed = round_trip(cluster, mc, keys, prefix, {}, "key_prefix \"pfx:\"", totals);

  // The server is chosen by the whole key as sent: the same as the prefixed
  // keys given without a prefix, and not where the bare keys would go.
  std::vector<std::string> full;
  for (const auto& k : keys) full.push_back(prefix + k);
  auto py = run_peer(list, {op::where(full), op::where(keys)});
  auto full_where = where_of(full, py[0]);
  auto bare_where = where_of(keys, py[1]);
  std::size_t differ_from_bare = 0;
  std::size_t bad = 0;
  for (const auto& k : keys) {
    bad += full_where.at(prefix + k) != prefixed.at(k);
    differ_from_bare += bare_where.at(k) != prefixed.at(k);
  }
  CHECK(bad == 0);
  CHECK(differ_from_bare > 0);
  // The C++ client finds them under the full key too, with no prefix.
  CHECK(mc.get_multi(full).size() == keys.size());
  CHECK(mc.get(full.front()) == std::optional<std::string>("cpp"));

  totals.checked += keys.size();
  totals.mismatched += bad;
  CHECK(totals.mismatched == 0);
  WARN("key_prefix: " << totals.checked << " key placements checked, " << totals.mismatched << " mismatches; "
                      << differ_from_bare << " of " << keys.size() << " keys sit elsewhere than unprefixed");
}

TEST_CASE("Debian python-memcached is 1.59 so only Hashing::python_1_59 places hash-0 keys as it does", "[interop]") {
  Cluster cluster;
  const auto list = cluster.list();
  // "ob" hashes to 0: bucket 0 (server 0) in 1.60+, bucket 1 (server 1) in 1.59.
  auto py = run_peer(list, {op::hash("ob"), op::hash("foo"), op::where({"ob"})});
  REQUIRE(py[0]["hash"].as_int() == 1);
  CHECK(py[1]["hash"].as_int() == 3187);
  REQUIRE(py[2]["servers"][0].as_int() == 1);

  auto where_cpp_puts_ob = [&](memcache::Hashing hashing) {
    cluster.flush();
    auto opts = Cluster::options();
    opts.hashing = hashing;
    Client(list, opts).set("ob", "x");
    auto placement = cluster.cpp_placement({"ob"});
    return placement.count("ob") ? static_cast<long long>(placement.at("ob")) : -1LL;
  };
  CHECK(where_cpp_puts_ob(memcache::Hashing::python_1_59) == 1);
  CHECK(where_cpp_puts_ob(memcache::Hashing::python) == 0);
}
