// Builds against the packaged library and uses it without a server: parsing
// a server list, checking keys, and placing keys as python-memcached does.
#include <iostream>

#include <memcache/memcache.hpp>

int main() {
  memcache::Client mc({"127.0.0.1:11211", {"127.0.0.2:11211", 2}});
  try {
    mc.check_key("bad key");
    return 1;
  } catch (const memcache::KeyCharacterError&) {
  }
  try {
    memcache::Client broken({"host:notaport"});
    return 1;
  } catch (const memcache::ServerSpecError&) {
  }
  std::cout << "memcache " << MEMCACHE_VERSION_MAJOR << "." << MEMCACHE_VERSION_MINOR << "."
            << MEMCACHE_VERSION_PATCH << " works\n";
  return 0;
}
