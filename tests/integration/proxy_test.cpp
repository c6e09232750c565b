// The client through twemproxy (Debian's nutcracker): the fixture itself, and
// plain calls reaching the backends the proxy spreads keys over.

#include "common.hpp"
#include "nutcracker.hpp"

namespace itest {
namespace {

using memcache::test::Nutcracker;

TEST_CASE("through nutcracker, values reach the backends and come back", "[proxy]") {
  MemcachedServer a, b;
  Nutcracker proxy({{a.spec(), b.spec()}});
  memcache::Options options = quick_options();
  options.protocol = memcache::Protocol::text;  // twemproxy speaks only the text protocol
  memcache::Client mc({proxy.spec()}, options);

  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("proxy_key_" + std::to_string(i));
  for (const auto& k : keys) REQUIRE(mc.set(k, "value of " + k));

  for (const auto& k : keys) {
    auto v = mc.get(k);
    REQUIRE(v);
    CHECK(*v == "value of " + k);
  }
  // The proxy spread the keys: each lives on exactly one backend, and both
  // backends hold some.
  auto held = holders({&a, &b}, keys);
  CHECK(held[0].size() + held[1].size() == keys.size());
  CHECK(!held[0].empty());
  CHECK(!held[1].empty());
  for (const auto& k : keys) CHECK(holder_of({&a, &b}, k) >= 0);
}

}  // namespace
}  // namespace itest
