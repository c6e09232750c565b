// One Client shared by 8 threads: every reply must belong to its caller.

#include <atomic>
#include <thread>

#include "common.hpp"

using namespace itest;

namespace {

// The value names its key, so a reply meant for another caller shows.
std::string value_for(const std::string& key, int version) {
  std::string v = "value-of:" + key + ":v" + std::to_string(version) + ":";
  // Sizes vary, some past one read buffer, so replies arrive in pieces.
  const std::size_t pad = (std::hash<std::string>{}(key) % 7 == 0) ? 40000 : (key.size() * 13) % 300;
  v.append(pad, static_cast<char>('a' + key.size() % 26));
  return v;
}

bool names(const std::string& value, const std::string& key) {
  const std::string head = "value-of:" + key + ":v";
  return value.compare(0, head.size(), head) == 0;
}

}  // namespace

TEST_CASE("8 threads share one client: every value is the caller's", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer s0(transport), s1(transport), s2(transport);
  memcache::Options options = itest::options();
  options.max_connections_per_server = 4;  // fewer than threads: the pool is contended
  memcache::Client mc({s0.spec(), s1.spec(), s2.spec()}, options);

  constexpr int threads = 8;
  constexpr int rounds = 300;
  constexpr int keys_per_thread = 40;
  std::atomic<long> ops{0}, mismatches{0}, failures{0}, verified{0};

  auto worker = [&](int t) {
    std::vector<std::string> own;
    for (int i = 0; i < keys_per_thread; ++i) own.push_back("t" + std::to_string(t) + ":k" + std::to_string(i));
    for (int r = 0; r < rounds; ++r) {
      const std::string& key = own[static_cast<std::size_t>(r % keys_per_thread)];
      const std::string value = value_for(key, r);
      if (!mc.set(key, value)) ++failures;
      auto got = mc.get(key);
      ops += 2;
      // Only this thread writes this key: the exact value must come back.
      if (!got) {
        ++failures;
      } else if (*got != value) {
        ++mismatches;
      } else {
        ++verified;
      }
      if (r % 5 == 0) {
        // Keys of every thread: whatever is there must name its key.
        std::vector<std::string> some;
        for (int o = 0; o < threads; ++o) {
          for (int i = r % 3; i < keys_per_thread; i += 7) {
            some.push_back("t" + std::to_string(o) + ":k" + std::to_string(i));
          }
        }
        auto found = mc.get_multi(some);
        ++ops;
        for (const auto& [k, v] : found) {
          if (names(v, k)) {
            ++verified;
          } else {
            ++mismatches;
          }
        }
      }
      if (r % 10 == 0) {
        const std::string counter = "t" + std::to_string(t) + ":counter";
        if (r == 0) mc.set(counter, 0);
        auto n = mc.incr(counter);
        ops += 1;
        if (!n || *n != static_cast<std::uint64_t>(r / 10 + 1)) ++mismatches;
      }
    }
  };

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& th : pool) th.join();

  CHECK(mismatches == 0);
  CHECK(failures == 0);
  CHECK(ops >= threads * rounds * 2);
  CHECK(verified >= threads * rounds);

  // The final state: each key holds the last value its thread wrote.
  std::vector<std::string> all;
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < keys_per_thread; ++i) all.push_back("t" + std::to_string(t) + ":k" + std::to_string(i));
  }
  auto final_values = mc.get_multi(all);
  REQUIRE(final_values.size() == all.size());
  long wrong = 0;
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < keys_per_thread; ++i) {
      const std::string key = "t" + std::to_string(t) + ":k" + std::to_string(i);
      const int last =
          (rounds - 1 - i) / keys_per_thread * keys_per_thread + i;  // the last r with r % keys_per_thread == i
      wrong += final_values.at(key) != value_for(key, last);
    }
  }
  CHECK(wrong == 0);
}

TEST_CASE("threads sharing a client with a paused server never read another caller's reply", "[integration]") {
  // Timeouts close connections mid-reply; the replies that arrive after the
  // resume must not reach anyone.
  MemcachedServer s0, s1;
  memcache::Options options = quick_options();
  options.socket_timeout = 150ms;
  options.dead_retry = std::chrono::seconds(0);  // retried at once: calls keep hitting the paused server
  options.max_connections_per_server = 3;
  memcache::Client mc({s0.spec(), s1.spec()}, options);

  std::vector<std::string> keys;
  std::map<std::string, std::string> batch;
  for (int i = 0; i < 60; ++i) {
    keys.push_back("pk" + std::to_string(i));
    batch.emplace(keys.back(), value_for(keys.back(), 0));
  }
  REQUIRE(mc.set_multi(batch).empty());

  std::atomic<bool> stop{false};
  std::atomic<long> mismatches{0}, reads{0};
  auto reader = [&](int t) {
    for (int n = 0; !stop; ++n) {
      const std::string& key = keys[static_cast<std::size_t>((n * 7 + t) % 60)];
      if (auto got = mc.get(key)) {
        ++reads;
        if (*got != batch.at(key)) ++mismatches;
      }
      if (n % 4 == 0) {
        for (const auto& [k, v] : mc.get_multi(keys)) {
          if (v != batch.at(k)) ++mismatches;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < 6; ++t) pool.emplace_back(reader, t);
  std::this_thread::sleep_for(100ms);
  s1.pause();
  std::this_thread::sleep_for(400ms);
  s1.resume();
  std::this_thread::sleep_for(300ms);
  stop = true;
  for (auto& th : pool) th.join();

  CHECK(mismatches == 0);
  CHECK(reads > 0);
  // Both servers serve again, values intact.
  CHECK(mc.get_multi(keys).size() == keys.size());
}

TEST_CASE("8 threads increment one counter with gets_cas / cas_with: no update is lost", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());
  REQUIRE(mc.set("counter", 0));

  constexpr int threads = 8;
  constexpr int increments = 40;
  std::atomic<long> conflicts{0}, errors{0};
  auto worker = [&] {
    for (int i = 0; i < increments; ++i) {
      for (;;) {
        auto current = mc.gets_cas<int>("counter");
        if (!current) {
          ++errors;
          return;
        }
        if (mc.cas_with("counter", current->value + 1, current->cas_unique)) break;
        ++conflicts;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& th : pool) th.join();

  CHECK(errors == 0);
  CHECK(mc.get<int>("counter") == std::optional<int>(threads * increments));
}

TEST_CASE("server-list changes and disconnects while threads work", "[integration]") {
  MemcachedServer server;
  memcache::Options options = itest::options();
  options.cache_cas = true;
  memcache::Client mc({server.spec()}, options);

  std::atomic<bool> stop{false};
  std::atomic<long> mismatches{0}, failures{0}, rounds{0};
  auto worker = [&](int t) {
    for (int n = 0; !stop || n < 50; ++n) {
      const std::string key = "w" + std::to_string(t) + ":" + std::to_string(n % 10);
      const std::string value = value_for(key, n);
      if (!mc.set(key, value)) ++failures;
      auto got = mc.gets(key);
      if (!got) {
        ++failures;
      } else if (*got != value) {
        ++mismatches;
      }
      mc.cas(key, value);  // may race with reset_cas: any answer is fine, no crash
      ++rounds;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) pool.emplace_back(worker, t);
  for (int i = 0; i < 40; ++i) {
    // The same single server each time: nothing may fail or mix up.
    mc.set_servers({server.spec()});
    mc.disconnect_all();
    mc.forget_dead_hosts();
    mc.reset_cas();
    std::this_thread::sleep_for(2ms);
  }
  stop = true;
  for (auto& th : pool) th.join();
  CHECK(mismatches == 0);
  CHECK(failures == 0);
  CHECK(rounds >= 200);
}
