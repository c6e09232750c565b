// Storing your own type: a `memcache::codec<T>` specialization is all it
// takes, with no change to the library. Here a struct goes through
// nlohmann-json and is stored as UTF-8 text (flag 16), so a Python app reads
// it with `json.loads(mc.get("user:42"))`.
//
//   json_codec host:port
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <memcache/memcache.hpp>

struct User {
  std::string name;
  int age = 0;
  std::vector<std::string> roles;

  friend bool operator==(const User& a, const User& b) {
    return a.name == b.name && a.age == b.age && a.roles == b.roles;
  }
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(User, name, age, roles)

template <>
struct memcache::codec<User> {
  static memcache::Value encode(const User& user) { return {nlohmann::json(user).dump(), memcache::flags::text}; }

  static User decode(const memcache::Value& v) {
    if (v.flags() != memcache::flags::text && v.flags() != 0) {
      throw memcache::ValueError("not a JSON document (flags " + std::to_string(v.flags()) + ")");
    }
    try {
      return nlohmann::json::parse(v.bytes()).get<User>();
    } catch (const nlohmann::json::exception& e) {
      // Report bad data the library's way, so callers catch one type.
      throw memcache::ValueError(std::string("bad User JSON: ") + e.what());
    }
  }
};

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: json_codec host:port\n";
    return 2;
  }
  memcache::Client mc({argv[1]});
  const User alice{"alice", 31, {"admin", "editor"}};

  bool stored = mc.set("user:42", alice, 300);
  std::optional<User> back = mc.get<User>("user:42");
  std::cout << "stored: " << std::boolalpha << stored << "\n";
  std::cout << "as text: " << *mc.get("user:42") << "\n";
  std::cout << "read back equal: " << (back && *back == alice) << "\n";

  // A value that is not a User is a clear error, not garbage.
  mc.set("user:43", "not json");
  try {
    mc.get<User>("user:43");
    std::cout << "no error\n";
  } catch (const memcache::ValueError& e) {
    std::cout << "user:43: " << e.what() << "\n";
  }
  return stored && back && *back == alice ? 0 : 1;
}
