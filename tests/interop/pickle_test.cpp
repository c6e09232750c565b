// Python values shared with python-memcached (pickle protocols 0, 2 and 5) and
// pymemcache (PickleSerde): what one side writes, the other reads as an equal
// value of the same types (tests/interop/pickle_peer.py holds the same values).

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <memcache/memcache.hpp>
#include <memcache/python.hpp>

#include "memcached_server.hpp"
#include "peer.hpp"

using Catch::Matchers::Contains;
using memcache::Pickled;
using memcache::Value;
using memcache::interop::Json;
using Py = memcache::PyValue;

#ifndef MEMCACHE_INTEROP_PICKLE_PEER
#error "MEMCACHE_INTEROP_PICKLE_PEER must name tests/interop/pickle_peer.py"
#endif

namespace {

// pickle_peer.py's values(), built in C++, in the same order.
const std::vector<std::pair<std::string, Py>>& values() {
  static const std::vector<std::pair<std::string, Py>> all = [] {
    std::vector<Py::Item> big;
    for (int i = 0; i < 1000; ++i) big.emplace_back("k" + std::to_string(i), i);
    const Py shared = Py::list({1, 2});
    return std::vector<std::pair<std::string, Py>>{
        {"none", Py()},
        {"true", true},
        {"false", false},
        {"int", 42},
        {"int_neg", -7},
        {"int_2_63", Py::integer("9223372036854775808")},
        {"int_2_70", Py::integer("1180591620717411303424")},
        {"int_neg_2_70", Py::integer("-1180591620717411303424")},
        {"float", 3.5},
        {"float_0_1", 0.1},
        {"float_neg0", -0.0},
        {"float_inf", std::numeric_limits<double>::infinity()},
        {"float_nan", std::numeric_limits<double>::quiet_NaN()},
        {"str", "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x89"},
        {"str_escapes", std::string("a\\b\nc\rd\0e\x1a"
                                    "f",
                                    11)},
        {"bytes", Py::bytes(std::string("\0\x01"
                                        "binary\xff",
                                        9))},
        {"bytes_empty", Py::bytes("")},
        {"list", Py::list({1, "two", 3.0, Py(), true, Py::bytes("six")})},
        {"ints", Py::list({1, 2, 3})},
        {"str_map", Py::dict({{"a", "x"}, {"b", "y"}})},
        {"tuple", Py::tuple({1, "two"})},
        {"tuple_1", Py::tuple({"one"})},
        {"tuple_4", Py::tuple({1, 2, 3, 4})},
        {"dict", Py::dict({{"name", "alice"},
                           {"age", 31},
                           {"tags", Py::list({"x", "y"})},
                           {"avatar", Py::bytes("\x89PNG")},
                           {"ratio", 0.25},
                           {"admin", false},
                           {"address", Py::dict({{"city", "Paris"}})},
                           {"nick", Py()},
                           {"point", Py::tuple({1, 2})}})},
        {"dict_keys", Py::dict({{1, "int"},
                                {Py::bytes("b"), "bytes"},
                                {Py::tuple({1, "t"}), "tuple"},
                                {Py(), "none"},
                                {2.5, "float"},
                                {Py::frozenset({3}), "frozenset"}})},
        {"set", Py::set({1, 2, 3})},
        {"set_mixed", Py::set({"a", Py::bytes("b"), Py::tuple({1, 2})})},
        {"frozenset", Py::frozenset({"x", "y"})},
        {"set_empty", Py::set()},
        {"nested",
         Py::dict(
             {{"a", Py::list({Py::dict({{"b", Py::tuple({Py::dict({{"c", Py::list({1, Py::tuple({2, 3})})}})})}})})}})},
        {"shared", Py::dict({{"a", shared}, {"b", shared}})},
        {"big_dict", Py::dict(std::move(big))},
        {"session", Py::dict({{"_fresh", true},
                              {"_id", "f00df00df00df00df00df00df00df00d"},
                              {"user_id", "42"},
                              {"csrf_token", "abc123"},
                              {"_flashes", Py::list({Py::tuple({"message", "Logged in"})})}})},
    };
  }();
  return all;
}

std::vector<std::string> names(const std::string& prefix = "") {
  std::vector<std::string> out;
  for (const auto& [name, v] : values()) out.push_back(prefix + name);
  return out;
}

// The flags python-memcached gives the value: str 16, bytes 0, int (not bool) 2, anything else a pickle.
std::uint32_t python_flags(const Py& v) {
  if (v.is_str()) return 16;
  if (v.is_bytes()) return 0;
  if (v.is_int()) return 2;
  return 1;
}

// Same value, same types, and dicts in the same key order (== ignores order, as Python's does).
bool same(const Py& a, const Py& b) {
  if (a != b) return false;
  if (a.is_dict()) {
    for (std::size_t i = 0; i < a.items().size(); ++i) {
      if (a.items()[i].first != b.items()[i].first || !same(a.items()[i].second, b.items()[i].second)) return false;
    }
  }
  if (a.is_list() || a.is_tuple()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a.at(i), b.at(i))) return false;
    }
  }
  return true;
}

std::string op(const std::string& name, const std::string& client, int protocol, const std::string& prefix) {
  return "{\"op\":\"" + name + "\",\"client\":\"" + client + "\",\"protocol\":" + std::to_string(protocol) +
         ",\"prefix\":\"" + prefix + "\"}";
}

std::vector<Json> run_pickle_peer(const memcache::test::MemcachedServer& server, const std::vector<std::string>& ops) {
  std::string input = "{\"server\":\"" + server.spec() + "\",\"ops\":[";
  for (std::size_t i = 0; i < ops.size(); ++i) input += (i ? "," : "") + ops[i];
  input += "]}";
  Json doc = Json::parse(memcache::interop::run_python(MEMCACHE_INTEROP_PICKLE_PEER, input));
  REQUIRE(doc["results"].size() == ops.size());
  return doc["results"].items;
}

struct Writer {
  const char* client;
  int protocol;
};

}  // namespace

TEST_CASE("python-memcached (pickle protocols 0, 2, 5) and pymemcache write Python values, C++ reads the same types",
          "[interop][python]") {
  memcache::test::MemcachedServer server;
  memcache::Client mc({server.spec()});
  const Writer writers[] = {{"python-memcached", 0}, {"python-memcached", 2}, {"python-memcached", 5},
                            {"pymemcache", 2},       {"pymemcache", 4},       {"pymemcache", 5}};
  std::vector<std::string> ops;
  for (const auto& w : writers) {
    ops.push_back(op("write", w.client, w.protocol, std::string(w.client) + std::to_string(w.protocol) + ":"));
  }
  run_pickle_peer(server, ops);

  for (const auto& w : writers) {
    const std::string prefix = std::string(w.client) + std::to_string(w.protocol) + ":";
    std::size_t checked = 0;
    for (const auto& [name, want] : values()) {
      INFO(prefix << name);
      const auto raw = mc.get<Value>(prefix + name);
      REQUIRE(raw);
      CHECK(raw->flags() == python_flags(want));
      if (raw->flags() == 1 && w.protocol >= 2)
        CHECK(raw->bytes().substr(0, 2) == std::string{'\x80', char(w.protocol)});
      const auto got = mc.get<Py>(prefix + name);
      REQUIRE(got);
      CHECK(got->type() == want.type());
      CHECK(same(*got, want));
      if (!same(*got, want)) WARN(got->repr().substr(0, 300) << "\n  expected " << want.repr().substr(0, 300));
      ++checked;
    }
    CHECK(checked == values().size());

    // get_multi<PyValue> returns every key.
    const auto found = mc.get_multi<Py>(names(), prefix);
    CHECK(found.size() == values().size());
    for (const auto& [name, want] : values()) {
      INFO(prefix << name);
      REQUIRE(found.count(name) == 1);
      CHECK(same(found.at(name), want));
    }

    // Typed getters read Python's float, bool, list and dict.
    CHECK(mc.get<double>(prefix + "float") == std::optional<double>(3.5));
    CHECK(mc.get<bool>(prefix + "true") == std::optional<bool>(true));
    CHECK(mc.get<bool>(prefix + "false") == std::optional<bool>(false));
    CHECK(mc.get<std::vector<int>>(prefix + "ints") == std::optional<std::vector<int>>({1, 2, 3}));
    CHECK(mc.get<std::map<std::string, std::string>>(prefix + "str_map") ==
          std::optional<std::map<std::string, std::string>>({{"a", "x"}, {"b", "y"}}));
    CHECK(mc.get<std::vector<std::string>>(prefix + "tuple_1") == std::optional<std::vector<std::string>>({"one"}));
    const auto user = mc.get<Py>(prefix + "dict");
    REQUIRE(user);
    CHECK((*user)["name"].as_str() == "alice");
    CHECK((*user)["avatar"].as_bytes() == "\x89PNG");
  }
}

TEST_CASE("C++ writes Python values, python-memcached and pymemcache read equal objects of the same types",
          "[interop][python]") {
  memcache::test::MemcachedServer server;
  memcache::Client mc({server.spec()});
  for (const auto& [name, v] : values()) {
    INFO(name);
    REQUIRE(mc.set("cpp0:" + name, v));  // python-memcached's default: protocol 0
    REQUIRE(mc.set("cpp2:" + name, Pickled{v, 2}));
    REQUIRE(mc.set("cpp5:" + name, Pickled{v, 5}));
    REQUIRE(mc.set("cppz:" + name, v, 0, 100));  // compressed when longer than 100 bytes and smaller
  }
  // The typed setters store what Python reads as float, bool, list and dict.
  REQUIRE(mc.set_multi(values(), 0, "cppT:").empty());
  REQUIRE(mc.set("cppT:float", 3.5));
  REQUIRE(mc.set("cppT:float_0_1", 0.1));
  REQUIRE(mc.set("cppT:true", true));
  REQUIRE(mc.set("cppT:false", false));
  REQUIRE(mc.set("cppT:ints", std::vector<int>{1, 2, 3}));
  REQUIRE(mc.set("cppT:str_map", std::map<std::string, std::string>{{"a", "x"}, {"b", "y"}}));
  CHECK(mc.get<Value>("cppz:big_dict")->flags() == (1 | 8));

  std::vector<std::string> ops;
  for (const char* prefix : {"cpp0:", "cpp2:", "cpp5:", "cppz:", "cppT:"}) {
    ops.push_back(op("check", "python-memcached", 0, prefix));
  }
  // pymemcache's PickleSerde does not decompress (flag 8): not cppz.
  for (const char* prefix : {"cpp0:", "cpp2:", "cpp5:", "cppT:"}) {
    ops.push_back(op("check", "pymemcache", 0, prefix));
  }
  const auto results = run_pickle_peer(server, ops);
  for (std::size_t i = 0; i < results.size(); ++i) {
    INFO(ops[i]);
    CHECK(results[i]["checked"].as_int() == static_cast<long long>(values().size()));
    CHECK(results[i]["missing"].size() == 0);
    for (const Json& m : results[i]["mismatch"].items) {
      FAIL_CHECK(m[0].str() << ": Python read " << m[1].str() << ", expected " << m[2].str());
    }
  }

  // And the flags are python-memcached's own.
  run_pickle_peer(server, {op("write", "python-memcached", 0, "py0:")});
  for (const auto& [name, v] : values()) {
    INFO(name);
    CHECK(mc.get<Value>("cpp0:" + name)->flags() == mc.get<Value>("py0:" + name)->flags());
  }
}

TEST_CASE("Python objects that are not plain data are refused by name, OrderedDict reads as a dict",
          "[interop][python]") {
  memcache::test::MemcachedServer server;
  memcache::Client mc({server.spec()});
  run_pickle_peer(server, {"{\"op\":\"write_refused\",\"prefix\":\"bad:\"}"});
  CHECK_THROWS_WITH(mc.get<Py>("bad:instance"), Contains("opcode GLOBAL") && Contains("copy_reg._reconstructor"));
  CHECK_THROWS_WITH(mc.get<Py>("bad:datetime"), Contains("GLOBAL") && Contains("datetime.datetime"));
  CHECK_THROWS_WITH(mc.get<Py>("bad:decimal"), Contains("GLOBAL") && Contains("decimal.Decimal"));
  CHECK_THROWS_WITH(mc.get<Py>("bad:function"), Contains("opcode GLOBAL") && Contains("__builtin__.len"));
  CHECK_THROWS_WITH(mc.get<Py>("bad:recursive"), Contains("recursive"));
  CHECK(mc.get<Py>("bad:ordered_dict") == Py::dict({{"z", 1}}));
  // get_multi leaves out what it cannot read, and keeps the rest.
  const auto found = mc.get_multi<Py>({"bad:instance", "bad:ordered_dict", "bad:recursive"});
  CHECK(found.size() == 1);
  CHECK(found.count("bad:ordered_dict") == 1);
  // The client is still in step.
  REQUIRE(mc.set("after", Py::list({1})));
  CHECK(mc.get<Py>("after") == Py::list({1}));
}
