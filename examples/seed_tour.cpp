// A tour of python-memcached's documented usage, in C++.
//
//   seed_tour [host:port]      (default 127.0.0.1:11211)
//
// Each step prints the call, as it reads in Python, and its result.
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <memcache/memcache.hpp>

namespace {

std::string show(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "None"; }
std::string show(const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : "None"; }
std::string show(bool b) { return b ? "True" : "False"; }

template <class Map>
std::string show_map(const Map& m) {
  std::map<std::string, std::string> sorted(m.begin(), m.end());
  std::string out = "{";
  for (const auto& [k, v] : sorted) out += (out.size() > 1 ? ", '" : "'") + k + "': '" + v + "'";
  return out + "}";
}

std::string show_list(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (const auto& k : keys) out += (out.size() > 1 ? ", '" : "'") + k + "'";
  return out + "]";
}

void step(const std::string& call, const std::string& result) { std::cout << call << " -> " << result << "\n"; }

}  // namespace

int main(int argc, char** argv) {
  const std::string server = argc > 1 ? argv[1] : "127.0.0.1:11211";
  try {
    memcache::Client mc({server});
    mc.flush_all();

    step("mc.set('user_001', 'alice', 300)", show(mc.set("user_001", "alice", 300)));
    step("mc.set_multi({'user_002': 'bob', 'user_003': 'carol'}, 60)",
         show_list(mc.set_multi({{"user_002", "bob"}, {"user_003", "carol"}}, 60)));
    step("mc.get('user_001')", show(mc.get("user_001")));
    step("mc.get('nobody')", show(mc.get("nobody")));
    step("mc.get_multi(['user_001', 'user_002', 'user_003', 'nobody'])",
         show_map(mc.get_multi({"user_001", "user_002", "user_003", "nobody"})));
    step("mc.add('user_001', 'mallory')", show(mc.add("user_001", "mallory")));
    step("mc.replace('user_001', 'alice2')", show(mc.replace("user_001", "alice2")));
    step("mc.get('user_001')", show(mc.get("user_001")));
    step("mc.add('hits', 0)", show(mc.add("hits", 0)));
    step("mc.incr('hits')", show(mc.incr("hits")));
    step("mc.incr('hits', 10)", show(mc.incr("hits", 10)));
    step("mc.decr('hits', 3)", show(mc.decr("hits", 3)));
    step("mc.get('hits')  # an int in Python", std::to_string(*mc.get<std::int64_t>("hits")));
    step("mc.append('user_001', '@example.com')", show(mc.append("user_001", "@example.com")));
    step("mc.prepend('user_001', 'dr. ')", show(mc.prepend("user_001", "dr. ")));
    step("mc.get('user_001')", show(mc.get("user_001")));
    step("mc.delete('user_001')", show(mc.del("user_001")));
    step("mc.get('user_001')", show(mc.get("user_001")));
    step("mc.delete_multi(['user_002', 'user_003'])", show(mc.delete_multi({"user_002", "user_003"})));
    step("mc.get_multi(['user_002', 'user_003'])", show_map(mc.get_multi({"user_002", "user_003"})));
  } catch (const memcache::Error& e) {
    std::cerr << "seed_tour: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
