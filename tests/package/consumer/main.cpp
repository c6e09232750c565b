// Follows API.md with the calls of same_calls.py, printing each result the
// way Python prints it; the test diffs the two outputs.
#include <cstdint>
#include <iostream>
#include <map>
#include <string>

#include <memcache/memcache.hpp>

namespace {
std::string py(bool b) { return b ? "True" : "False"; }
std::string py(const std::optional<std::string>& s) { return s ? "b'" + *s + "'" : "None"; }
std::string py(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "None"; }
std::string py(const std::unordered_map<std::string, std::string>& m) {
  std::map<std::string, std::string> sorted(m.begin(), m.end());
  std::string out = "{";
  for (const auto& [k, v] : sorted) out += (out.size() > 1 ? ", '" : "'") + k + "': b'" + v + "'";
  return out + "}";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: consumer host:port\n";
    return 2;
  }
  memcache::Client mc({argv[1]});
  mc.flush_all();
  std::cout << py(mc.set("user_001", "alice", 300)) << "\n";
  std::cout << py(mc.get("user_001")) << "\n";
  std::cout << py(mc.add("user_001", "bob")) << "\n";
  std::cout << py(mc.replace("user_001", "carol")) << "\n";
  std::cout << py(mc.get("user_001")) << "\n";
  std::cout << py(mc.set_multi({{"a", "1"}, {"b", "2"}}, 60, "p:").empty()) << "\n";
  std::cout << py(mc.get_multi({"a", "b", "c"}, "p:")) << "\n";
  std::cout << py(mc.add("n", 10)) << "\n";
  std::cout << py(mc.incr("n", 5)) << "\n";
  std::cout << py(mc.decr("n", 100)) << "\n";
  std::cout << py(mc.append("user_001", "!")) << "\n";
  std::cout << py(mc.prepend("user_001", "*")) << "\n";
  std::cout << py(mc.get("user_001")) << "\n";
  std::cout << py(mc.del("user_001")) << "\n";
  std::cout << py(mc.get("user_001")) << "\n";
  std::cout << py(mc.incr("missing")) << "\n";
  std::cout << py(mc.delete_multi({"a", "b"}, 0, "p:")) << "\n";
  std::cout << py(mc.get_multi({"a", "b"}, "p:")) << "\n";
  try {
    mc.set("bad key", "x");
    std::cout << "no error\n";
  } catch (const memcache::KeyCharacterError&) {
    std::cout << "MemcachedKeyCharacterError\n";
  }
  return 0;
}
