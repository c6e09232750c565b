// Values shared with python-memcached: what one language writes, the other
// reads with the same value and type, compressed or not.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <memcache/memcache.hpp>

#include "cluster.hpp"
#include "peer.hpp"

using memcache::Text;
using memcache::Value;
using memcache::interop::Cluster;
using memcache::interop::PyValue;
using memcache::interop::run_peer;
namespace op = memcache::interop::op;

namespace {

std::string binary_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s + "\r\nEND\r\nVALUE x 0 1\r\n";
}

/// Bytes zlib cannot shrink: compression is tried and thrown away.
std::string incompressible(std::size_t n) {
  std::mt19937 gen(12345);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

/// Code points in well-formed UTF-8.
long long code_points(const std::string& utf8) {
  long long n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// A value one side writes, and what the other must read back.
struct Case {
  std::string key;
  PyValue value;  // as Python has it
  std::size_t min_compress_len;
  std::uint32_t flags;  // on the wire
};

const char* const utf8_text =
    "h\xc3\xa9llo w\xc3\xb6rld \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
    "\xf0\x9f\x8e\x89 \xc3\x9cn\xc3\xaf"
    "c\xc3\xb6"
    "d\xc3\xa9 \xd0\xba\xd0\xbb\xd1\x8e\xd1\x87";

}  // namespace

TEST_CASE("python-memcached writes bytes str int and compressed values and C++ reads them", "[interop]") {
  Cluster cluster;
  const auto list = cluster.list();

  auto info = run_peer(list, {op::info()});
  WARN("peer: python-memcached " << info[0]["version"].str() << " (" << info[0]["file"].str() << "), Python "
                                 << info[0]["python"].str() << ", " << memcache::interop::python_interpreter());

  const std::string big_bytes(5000, 'x');
  std::string big_text;
  for (int i = 0; i < 500; ++i) big_text += "text \xc3\xa9 ";
  const std::string noise = incompressible(3000);

  const std::vector<Case> cases = {
      {"py:bytes", PyValue::py_bytes("plain bytes"), 0, 0},
      {"py:binary", PyValue::py_bytes(binary_bytes()), 0, 0},
      {"py:empty", PyValue::py_bytes(""), 0, 0},
      {"py:str", PyValue::py_str("hello text"), 0, 16},
      {"py:str:empty", PyValue::py_str(""), 0, 16},
      {"py:int:42", PyValue::py_int(42), 0, 2},
      {"py:int:0", PyValue::py_int(0), 0, 2},
      {"py:int:neg", PyValue::py_int(-7), 0, 2},
      {"py:int:max", PyValue::py_int("9223372036854775807"), 0, 2},
      {"py:int:min", PyValue::py_int("-9223372036854775808"), 0, 2},
      // min_compress_len: compressed (flag 8) only when longer and smaller.
      {"py:z:bytes", PyValue::py_bytes(big_bytes), 100, 8},
      {"py:z:str", PyValue::py_str(big_text), 100, 8 | 16},
      {"py:z:int", PyValue::py_int("123456789012345678"), 1, 2},  // ints never compressed
      {"py:z:noise", PyValue::py_bytes(noise), 100, 0},           // zlib would grow it
      {"py:z:short", PyValue::py_bytes("short"), 100, 0},         // not over the threshold
  };

  // Half with single sets, all again (other keys) with one set_multi.
  std::vector<std::string> ops;
  std::vector<std::pair<std::string, PyValue>> plain_multi;
  std::vector<std::pair<std::string, PyValue>> compressed_multi;
  for (const Case& c : cases) {
    ops.push_back(op::set(c.key, c.value, c.min_compress_len));
    (c.min_compress_len ? compressed_multi : plain_multi).emplace_back("m" + c.key, c.value);
  }
  ops.push_back(op::set_multi(plain_multi));
  ops.push_back(op::set_multi(compressed_multi, "", 100));
  auto results = run_peer(list, ops);
  for (std::size_t i = 0; i < cases.size(); ++i) REQUIRE(results[i]["ok"].as_bool());
  REQUIRE(results[cases.size()]["notstored"].size() == 0);
  REQUIRE(results[cases.size() + 1]["notstored"].size() == 0);

  auto mc = cluster.client();
  std::vector<std::string> all_keys;
  std::size_t checked = 0;
  for (const Case& base : cases) {
    for (const std::string& key : {base.key, "m" + base.key}) {
      CAPTURE(key);
      all_keys.push_back(key);
      const std::uint32_t flags = base.flags;
      auto raw = mc.get<Value>(key);
      REQUIRE(raw);
      CHECK(raw->flags() == flags);
      CHECK(raw->as<std::string>() == base.value.bytes);
      if (base.value.type == "bytes") {
        CHECK(mc.get<std::string>(key) == base.value.bytes);
        CHECK(mc.get(key) == base.value.bytes);
      } else if (base.value.type == "str") {
        auto text = mc.get<Text>(key);
        REQUIRE(text);
        CHECK(text->str() == base.value.bytes);
        CHECK(mc.get<std::string>(key) == base.value.bytes);
      } else {
        auto n = mc.get<std::int64_t>(key);
        REQUIRE(n);
        CHECK(std::to_string(*n) == base.value.bytes);
        CHECK(raw->is_integer());
      }
      ++checked;
    }
  }
  auto multi = mc.get_multi<Value>(all_keys);
  CHECK(multi.size() == all_keys.size());
  for (const auto& [key, v] : multi) CHECK(v == *mc.get<Value>(key));
  WARN("python -> C++ values: " << checked << " keys checked over weights 1,2,3");
}

TEST_CASE("C++ writes std::string Text integers and compressed values and python-memcached reads them", "[interop]") {
  Cluster cluster;
  const auto list = cluster.list();
  auto mc = cluster.client();

  const std::string big_bytes(5000, 'y');
  std::string big_text;
  for (int i = 0; i < 500; ++i) big_text += "texte \xc3\xa0 ";
  const std::string noise = incompressible(3000);
  const std::string_view view = "a string_view";

  REQUIRE(mc.set("cpp:string", std::string("plain bytes")));
  REQUIRE(mc.set("cpp:cstr", "a const char*"));
  REQUIRE(mc.set("cpp:view", view));
  REQUIRE(mc.set("cpp:binary", binary_bytes()));
  REQUIRE(mc.set("cpp:empty", std::string()));
  REQUIRE(mc.set("cpp:text", Text("hello text")));
  REQUIRE(mc.set("cpp:text:empty", Text("")));
  REQUIRE(mc.set("cpp:int", std::int64_t{42}));
  REQUIRE(mc.set("cpp:int:0", 0));
  REQUIRE(mc.set("cpp:int:neg", -7));
  REQUIRE(mc.set("cpp:int:short", static_cast<short>(-300)));
  REQUIRE(mc.set("cpp:int:max", std::numeric_limits<std::int64_t>::max()));
  REQUIRE(mc.set("cpp:int:min", std::numeric_limits<std::int64_t>::min()));
  REQUIRE(mc.set("cpp:uint:max", std::numeric_limits<std::uint64_t>::max()));
  REQUIRE(mc.set("cpp:bool", true));
  REQUIRE(mc.set("cpp:z:string", big_bytes, 0, 100));
  REQUIRE(mc.set("cpp:z:text", Text(big_text), 0, 100));
  REQUIRE(mc.set("cpp:z:int", std::int64_t{123456789012345678}, 0, 1));
  REQUIRE(mc.set("cpp:z:noise", noise, 0, 100));
  REQUIRE(mc.set("cpp:z:short", std::string("short"), 0, 100));
  const std::map<std::string, std::string> bytes_batch = {
      {"cpp:m:a", "alpha"}, {"cpp:m:big", big_bytes}, {"cpp:m:noise", noise}};
  const std::map<std::string, Text> text_batch = {{"cpp:m:text", Text("beta")}, {"cpp:m:bigtext", Text(big_text)}};
  const std::map<std::string, std::int64_t> int_batch = {{"cpp:m:int", 7}, {"cpp:m:bigint", -123456789012345678}};
  REQUIRE(mc.set_multi(bytes_batch, 0, "", 100).empty());
  REQUIRE(mc.set_multi(text_batch, 0, "", 100).empty());
  REQUIRE(mc.set_multi(int_batch, 0, "", 100).empty());

  const std::vector<Case> cases = {
      {"cpp:string", PyValue::py_bytes("plain bytes"), 0, 0},
      {"cpp:cstr", PyValue::py_bytes("a const char*"), 0, 0},
      {"cpp:view", PyValue::py_bytes(std::string(view)), 0, 0},
      {"cpp:binary", PyValue::py_bytes(binary_bytes()), 0, 0},
      {"cpp:empty", PyValue::py_bytes(""), 0, 0},
      {"cpp:text", PyValue::py_str("hello text"), 0, 16},
      {"cpp:text:empty", PyValue::py_str(""), 0, 16},
      {"cpp:int", PyValue::py_int(42), 0, 2},
      {"cpp:int:0", PyValue::py_int(0), 0, 2},
      {"cpp:int:neg", PyValue::py_int(-7), 0, 2},
      {"cpp:int:short", PyValue::py_int(-300), 0, 2},
      {"cpp:int:max", PyValue::py_int("9223372036854775807"), 0, 2},
      {"cpp:int:min", PyValue::py_int("-9223372036854775808"), 0, 2},
      {"cpp:uint:max", PyValue::py_int("18446744073709551615"), 0, 2},
      {"cpp:bool", PyValue{"bool", "True"}, 0, 1},  // pickled, as python-memcached stores True
      {"cpp:z:string", PyValue::py_bytes(big_bytes), 100, 8},
      {"cpp:z:text", PyValue::py_str(big_text), 100, 8 | 16},
      {"cpp:z:int", PyValue::py_int("123456789012345678"), 1, 2},
      {"cpp:z:noise", PyValue::py_bytes(noise), 100, 0},
      {"cpp:z:short", PyValue::py_bytes("short"), 100, 0},
      {"cpp:m:a", PyValue::py_bytes("alpha"), 100, 0},
      {"cpp:m:big", PyValue::py_bytes(big_bytes), 100, 8},
      {"cpp:m:noise", PyValue::py_bytes(noise), 100, 0},
      {"cpp:m:text", PyValue::py_str("beta"), 100, 16},
      {"cpp:m:bigtext", PyValue::py_str(big_text), 100, 8 | 16},
      {"cpp:m:int", PyValue::py_int(7), 100, 2},
      {"cpp:m:bigint", PyValue::py_int("-123456789012345678"), 100, 2},
  };

  std::vector<std::string> ops;
  std::vector<std::string> keys;
  for (const Case& c : cases) {
    ops.push_back(op::get(c.key));
    keys.push_back(c.key);
  }
  ops.push_back(op::get_multi(keys));
  auto results = run_peer(list, ops);
  auto multi = memcache::interop::items_of(results[cases.size()]);
  CHECK(multi.size() == cases.size());
  std::size_t checked = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    CAPTURE(c.key);
    // The flags as stored, read back raw.
    auto raw = mc.get<Value>(c.key);
    REQUIRE(raw);
    CHECK(raw->flags() == c.flags);
    REQUIRE(results[i]["found"].as_bool());
    PyValue got = PyValue::from_json(results[i]["value"]);
    CHECK(got == c.value);
    if (c.value.type == "str") CHECK(got.chars == code_points(c.value.bytes));
    CHECK(multi[c.key] == c.value);
    ++checked;
  }
  WARN("C++ -> python values: " << checked << " keys checked over weights 1,2,3");
}

TEST_CASE("non-ASCII UTF-8 Text round-trips between C++ and python-memcached", "[interop]") {
  Cluster cluster;
  const auto list = cluster.list();
  auto mc = cluster.client();
  const std::string text = utf8_text;
  const std::string utf8_key = "cl\xc3\xa9:\xe6\x97\xa5\xe6\x9c\xac";  // python-memcached allows bytes >= 0x80

  // Python str -> C++ Text.
  auto written = run_peer(list, {op::set("py:utf8", PyValue::py_str(text)), op::set(utf8_key, PyValue::py_str(text)),
                                 op::set("py:utf8:z", PyValue::py_str(text + text + text + text), 10)});
  for (const auto& r : written) REQUIRE(r["ok"].as_bool());
  for (const std::string& key : {std::string("py:utf8"), utf8_key}) {
    CAPTURE(key);
    auto t = mc.get<Text>(key);
    REQUIRE(t);
    CHECK(t->str() == text);
    CHECK(mc.get<Value>(key)->flags() == 16u);
  }
  auto tz = mc.get<Text>("py:utf8:z");
  REQUIRE(tz);
  CHECK(tz->str() == text + text + text + text);
  CHECK(mc.get<Value>("py:utf8:z")->flags() == (8u | 16u));

  // C++ Text -> Python str, and Python writes it back for C++ to read.
  REQUIRE(mc.set("cpp:utf8", Text(text)));
  REQUIRE(mc.set(utf8_key + ":cpp", Text(text)));
  auto read = run_peer(list, {op::get("cpp:utf8"), op::get(utf8_key + ":cpp")});
  for (const auto& r : read) {
    REQUIRE(r["found"].as_bool());
    PyValue v = PyValue::from_json(r["value"]);
    CHECK(v.type == "str");
    CHECK(v.bytes == text);
    CHECK(v.chars == code_points(text));
  }
  PyValue echoed = PyValue::from_json(read[0]["value"]);
  REQUIRE(run_peer(list, {op::set("py:echo", echoed)})[0]["ok"].as_bool());
  auto back = mc.get<Text>("py:echo");
  REQUIRE(back);
  CHECK(back->str() == text);
  WARN("UTF-8 text of " << text.size() << " bytes / " << code_points(text) << " code points: round trip equal");
}

TEST_CASE("every compress_level writes a zlib stream python-memcached reads, and C++ reads Python's", "[interop]") {
  Cluster cluster;
  const auto list = cluster.list();
  // JSON-like records, 200 KB: compressed several times over at every level.
  std::string json;
  for (int i = 0; json.size() < 200000; ++i) {
    json += "{\"id\":" + std::to_string(i) + ",\"name\":\"user" + std::to_string(i) + "\",\"active\":true},";
  }
  const std::string runs(300000, 'x');  // shrinks ~1000 times: room grown on reading back
  const std::vector<std::pair<std::string, std::string>> values = {{"json", json}, {"runs", runs}};
  std::vector<std::string> ops;
  std::vector<std::pair<std::string, std::string>> expected;
  for (int level : {-1, 1, 6, 9, 12}) {
    memcache::Options o = cluster.options();
    o.compress_level = level;
    auto mc = cluster.client(o);
    for (const auto& [name, value] : values) {
      const std::string key = "cpp:level" + std::to_string(level) + ":" + name;
      REQUIRE(mc.set(key, value, 0, 1000));
      auto raw = mc.get<Value>(key);
      REQUIRE(raw);
      CHECK(raw->flags() == memcache::flags::compressed);
      CHECK(raw->bytes().size() < value.size() / 3);
      CHECK(mc.get(key) == value);
      ops.push_back(op::get(key));
      expected.emplace_back(key, value);
    }
  }
  auto results = run_peer(list, ops);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(expected[i].first);
    REQUIRE(results[i]["found"].as_bool());
    CHECK(PyValue::from_json(results[i]["value"]) == PyValue::py_bytes(expected[i].second));
  }
  // Python's zlib.compress (level 6) read back here through libdeflate.
  auto written = run_peer(
      list, {op::set("py:z:json", PyValue::py_bytes(json), 1000), op::set("py:z:runs", PyValue::py_bytes(runs), 1000)});
  for (const auto& r : written) REQUIRE(r["ok"].as_bool());
  auto mc = cluster.client();
  CHECK(mc.get<Value>("py:z:runs")->flags() == memcache::flags::compressed);
  CHECK(mc.get("py:z:json") == json);
  CHECK(mc.get("py:z:runs") == runs);
}

TEST_CASE("a 1.5 MiB value python-memcached stored (memcached -I 2m) is read by get and get_multi", "[interop][big]") {
  // python-memcached stores what its server_max_value_length allows; this
  // client sends at most 1 MiB (its default) but reads up to
  // max_value_read_length, so it reads what Python reads.
  memcache::test::MemcachedServer server(memcache::test::MemcachedServer::Transport::tcp, {"-I", "2m"});
  std::string big = incompressible(3 * 1024 * 1024 / 2);
  run_peer({server.spec()}, {op::limit(2 * 1024 * 1024), op::set("pybig", PyValue::py_bytes(big)),
                             op::set("small", PyValue::py_bytes("s"))});

  memcache::Options o = Cluster::options();
  o.socket_timeout = std::chrono::seconds(10);
  memcache::Client mc({server.spec()}, o);
  REQUIRE(o.server_max_value_length == 1024 * 1024);
  auto v = mc.get("pybig");
  REQUIRE(v);
  CHECK(*v == big);
  auto found = mc.get_multi({"small", "pybig", "absent"});
  REQUIRE(found.size() == 2);
  CHECK(found["small"] == "s");
  CHECK(found["pybig"] == big);
}
