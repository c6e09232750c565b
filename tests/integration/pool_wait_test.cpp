// Calls that share a Client's pools and find every connection of a server in
// use wait for one, in server-list order: two calls never hold what the other
// waits for, and a busy server's keys never move to another server.

#include <atomic>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common.hpp"

namespace itest {
namespace {

TEST_CASE("get_multi calls routing keys in opposite orders over full pools never wait on each other",
          "[integration][pool]") {
  MemcachedServer s0, s1;
  memcache::Options o = options();
  o.max_connections_per_server = 1;  // every call past the first waits
  // How long a call may wait for a connection. Here no call should wait on
  // another one's wait: a call holding two servers' connections while another
  // holds one of them and waits for the other would fail after this.
  o.socket_timeout = 5s;
  o.connect_timeout = 5s;
  memcache::Client mc({s0.spec(), s1.spec()}, o);

  // Two keys on each server, found by reading each server alone.
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("order_" + std::to_string(i));
  for (const auto& k : keys) REQUIRE(mc.set(k, "value of " + k));
  const auto held = holders({&s0, &s1}, keys);
  REQUIRE(held[0].size() >= 2);
  REQUIRE(held[1].size() >= 2);
  const std::vector<std::string> forward = {held[0][0], held[1][0], held[0][1], held[1][1]};
  const std::vector<std::string> backward(forward.rbegin(), forward.rend());

  constexpr int rounds = 300;
  std::atomic<int> calls{0}, incomplete{0}, wrong{0};
  std::atomic<bool> stop{false};
  auto worker = [&](const std::vector<std::string>& order) {
    for (int r = 0; r < rounds && !stop; ++r) {
      const auto found = mc.get_multi(order);
      ++calls;
      if (found.size() != order.size()) {
        ++incomplete;
        stop = true;  // one is enough: each costs socket_timeout
      }
      for (const auto& [k, v] : found) wrong += v != "value of " + k;
    }
  };
  // Single-key calls on both servers in between, as a web app's threads do.
  auto singles = [&] {
    for (int r = 0; r < rounds && !stop; ++r) {
      const auto& key = forward[static_cast<std::size_t>(r) % forward.size()];
      const auto v = mc.get(key);
      ++calls;
      if (!v) {
        ++incomplete;
        stop = true;
      } else {
        wrong += *v != "value of " + key;
      }
    }
  };
  std::thread a(worker, forward), b(worker, backward), c(singles);
  a.join();
  b.join();
  c.join();
  CHECK(incomplete == 0);
  CHECK(wrong == 0);
  CHECK(calls == 3 * rounds);
  // Nothing was written to the other server while its own was busy.
  const auto after = holders({&s0, &s1}, keys);
  CHECK(after == held);
}

TEST_CASE("a server whose connections stay in use fails its keys, which do not move to another server",
          "[integration][pool]") {
  MemcachedServer s0, s1;
  memcache::Options o = options();
  o.max_connections_per_server = 1;
  // The wait for a connection, under test; long enough that the calls that
  // must succeed do so on a loaded machine.
  o.socket_timeout = 1s;
  memcache::Client mc({s0.spec(), s1.spec()}, o);
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("busy_" + std::to_string(i));
  // Stored by a client of the same list with default timeouts: one of mc's
  // timeouts on a loaded machine would mark a server dead for
  // dead_retry and move the keys after it.
  memcache::Client writer({s0.spec(), s1.spec()}, options());
  for (const auto& k : keys) REQUIRE(writer.set(k, "v"));
  const auto held = holders({&s0, &s1}, keys);
  REQUIRE_FALSE(held[0].empty());
  REQUIRE_FALSE(held[1].empty());

  // A visitor holds the call's connections while it runs: a nested call
  // from it finds both servers' only connection in use.
  int visited = 0;
  std::unordered_map<std::string, std::string> nested;
  mc.get_multi_each({held[0][0]}, [&](std::string_view, memcache::Value::View) {
    ++visited;
    nested = mc.get_multi({held[0][0], held[1][0]});
    // The busy server's key is missing; it was not looked up (or written)
    // anywhere else.
    CHECK_FALSE(mc.set(held[0][1], "written while busy"));
  });
  CHECK(visited == 1);
  CHECK(nested.size() == 1);
  CHECK(nested.count(held[1][0]) == 1);
  CHECK(probe(s1).get(held[0][1]) == std::nullopt);
  CHECK(probe(s0).get(held[0][1]) == "v");
}

}  // namespace
}  // namespace itest
