// The pickle reader and writer against pickles CPython made
// (data/pickle_vectors.txt, written by data/gen_pickle_vectors.py), and
// against hostile pickles built by hand.

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <memcache/python.hpp>

using Catch::Matchers::Contains;
using namespace std::string_literals;
using memcache::PyValue;
using memcache::ValueError;

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) out.push_back(field);
  return out;
}

struct Row {
  std::string kind, name;
  int protocol = 0;
  std::string pickle, optimized, text;  // text: repr for "ok", reason for "refused"
};

const std::vector<Row>& rows() {
  static const std::vector<Row> all = [] {
    std::vector<Row> out;
    std::ifstream in(MEMCACHE_UNIT_DATA_DIR "/pickle_vectors.txt");
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto f = split_tabs(line);
      Row r;
      r.kind = f.at(0);
      r.name = f.at(1);
      r.protocol = std::stoi(f.at(2));
      r.pickle = from_hex(f.at(3));
      if (r.kind == "ok") {
        r.optimized = f.at(4) == "-" ? "-" : from_hex(f.at(4));
        r.text = f.at(5);
      } else {
        r.text = f.at(4);
      }
      out.push_back(std::move(r));
    }
    return out;
  }();
  return all;
}

PyValue range_list(int n) {
  std::vector<PyValue> v;
  for (int i = 0; i < n; ++i) v.emplace_back(i);
  return PyValue::list(std::move(v));
}

// The values gen_pickle_vectors.py pickles, built in C++.
PyValue expected(const std::string& name) {
  static const std::map<std::string, PyValue> values = [] {
    std::map<std::string, PyValue> m;
    m["none"] = PyValue();
    m["true"] = true;
    m["false"] = false;
    m["int_0"] = 0;
    m["int_1"] = 1;
    m["int_255"] = 255;
    m["int_256"] = 256;
    m["int_65535"] = 65535;
    m["int_65536"] = 65536;
    m["int_neg1"] = -1;
    m["int_i32max"] = 2147483647;
    m["int_i32min"] = -2147483647 - 1;
    m["int_2_31"] = std::int64_t(2147483648);
    m["int_i64max"] = std::numeric_limits<std::int64_t>::max();
    m["int_i64min"] = std::numeric_limits<std::int64_t>::min();
    m["int_2_63"] = std::uint64_t(1) << 63;
    m["int_2_64"] = PyValue::integer("18446744073709551616");
    m["int_2_70"] = PyValue::integer("1180591620717411303424");
    m["int_neg_2_70"] = PyValue::integer("-1180591620717411303424");
    m["int_10_100"] = PyValue::integer("1" + std::string(100, '0'));
    m["int_neg_10_100"] = PyValue::integer("-1" + std::string(100, '0'));
    m["float_0"] = 0.0;
    m["float_neg0"] = -0.0;
    m["float_1_5"] = 1.5;
    m["float_0_1"] = 0.1;
    m["float_1e16"] = 1e16;
    m["float_1e-5"] = 1e-5;
    m["float_big"] = 1.7976931348623157e308;
    m["float_tiny"] = 5e-324;
    m["float_inf"] = std::numeric_limits<double>::infinity();
    m["float_neg_inf"] = -std::numeric_limits<double>::infinity();
    m["float_nan"] = std::numeric_limits<double>::quiet_NaN();
    m["str_empty"] = "";
    m["str_ascii"] = "hello";
    m["str_latin1"] = "h\xc3\xa9llo w\xc3\xb6rld";
    m["str_unicode"] = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x8e\x89";
    m["str_escapes"] = std::string("back\\slash\nnew\rline\0nul\x1asub\ttab 'q' \"dq\"", 40);
    m["str_surrogate"] = "lone \xed\xa0\x80 surrogate";
    m["str_long"] = std::string(300, 'x');
    m["bytes_empty"] = PyValue::bytes("");
    m["bytes_abc"] = PyValue::bytes("abc");
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    m["bytes_all"] = PyValue::bytes(all);
    m["bytearray"] = PyValue::bytes("xyz");
    m["bytearray_empty"] = PyValue::bytes("");
    m["list_empty"] = PyValue::list();
    m["list_mixed"] = PyValue::list({1, "a", PyValue(), 2.5, PyValue::bytes("b"), true});
    m["list_nested"] = PyValue::list({PyValue::list({1, 2}), PyValue::list({3, PyValue::list({4, PyValue::list()})})});
    m["list_1001"] = range_list(1001);
    m["tuple_empty"] = PyValue::tuple();
    m["tuple_1"] = PyValue::tuple({1});
    m["tuple_2"] = PyValue::tuple({1, "two"});
    m["tuple_3"] = PyValue::tuple({1, "two", 3.0});
    m["tuple_4"] = PyValue::tuple({1, 2, 3, 4});
    m["dict_empty"] = PyValue::dict();
    m["dict_one"] = PyValue::dict({{"a", 1}});
    m["dict_user"] = PyValue::dict({{"name", "alice"},
                                    {"age", 31},
                                    {"tags", PyValue::list({"x", "y"})},
                                    {"score", 9.5},
                                    {"active", true},
                                    {"avatar", PyValue::bytes("\x89PNG")},
                                    {"address", PyValue::dict({{"city", "Paris"}, {"zip", "75001"}})},
                                    {"nick", PyValue()}});
    m["dict_keys"] = PyValue::dict({{1, "int key"},
                                    {PyValue::bytes("b"), "bytes key"},
                                    {PyValue::tuple({1, "t"}), "tuple key"},
                                    {PyValue(), 0},
                                    {2.5, "float key"},
                                    {PyValue::frozenset({1}), "frozenset key"}});
    std::vector<PyValue::Item> many;
    for (int i = 0; i < 1001; ++i) many.emplace_back("k" + std::to_string(i), i);
    m["dict_1001"] = PyValue::dict(std::move(many));
    m["set_empty"] = PyValue::set();
    m["set_ints"] = PyValue::set({1, 2, 3});
    m["set_mixed"] = PyValue::set({"a", PyValue::bytes("b"), PyValue::tuple({1, 2}), PyValue()});
    m["frozenset_empty"] = PyValue::frozenset();
    m["frozenset_ints"] = PyValue::frozenset({1, "a"});
    m["set_1001"] = PyValue::set(range_list(1001).elements());
    const PyValue shared = PyValue::list({1, 2});
    m["shared"] = PyValue::dict({{"a", shared}, {"b", shared}, {"c", PyValue::tuple({shared, shared})}});
    m["ordered_dict"] = PyValue::dict({{"z", 1}, {"a", PyValue::list({2})}});
    m["session"] = PyValue::dict({{"_fresh", true},
                                  {"_id", "f00df00df00df00df00df00df00df00d"},
                                  {"user_id", "42"},
                                  {"csrf_token", "abc123"},
                                  {"_flashes", PyValue::list({PyValue::tuple({"message", "Logged in"})})}});
    PyValue deep = PyValue::list();
    for (int i = 0; i < 100; ++i) deep = PyValue::list({deep});
    m["deep"] = deep;
    return m;
  }();
  auto it = values.find(name);
  REQUIRE(it != values.end());
  return it->second;
}

// CPython frames protocol 4+ pickles (FRAME, 8-byte length after PROTO);
// the writer here does not, which CPython reads the same.
std::string without_frame(std::string p) {
  if (p.size() > 11 && static_cast<unsigned char>(p[0]) == 0x80 && static_cast<unsigned char>(p[2]) == 0x95) {
    p.erase(2, 9);
  }
  return p;
}

}  // namespace

TEST_CASE("pickles CPython made of every protocol read as the same values and types", "[unit][python]") {
  std::size_t checked = 0;
  for (const Row& r : rows()) {
    if (r.kind != "ok") continue;
    INFO(r.name << " protocol " << r.protocol);
    const PyValue v = memcache::unpickle(r.pickle);
    CHECK(v == expected(r.name));
    CHECK(v.type() == expected(r.name).type());
    CHECK(v.repr() == r.text);  // Python's repr: types, order, values
    ++checked;
  }
  CHECK(checked == 68 * 6);
}

TEST_CASE("the writer chooses CPython's opcodes at every protocol", "[unit][python]") {
  std::size_t compared = 0;
  for (const Row& r : rows()) {
    // bytearray and OrderedDict are read as bytes and dict, and written so.
    if (r.kind != "ok" || r.optimized == "-" || r.name.rfind("bytearray", 0) == 0 || r.name == "ordered_dict") {
      continue;
    }
    INFO(r.name << " protocol " << r.protocol);
    // The value as read keeps Python's order for sets.
    const PyValue v = memcache::unpickle(r.pickle);
    CHECK(memcache::pickle(v, r.protocol) == without_frame(r.optimized));
    ++compared;
  }
  CHECK(compared == 68 * 6 - 6 - 3 * 6);  // all but the shared value, bytearrays and OrderedDict
}

TEST_CASE("every value round-trips through the writer and the reader at every protocol", "[unit][python]") {
  for (const Row& r : rows()) {
    if (r.kind != "ok" || r.protocol != 0) continue;
    const PyValue v = expected(r.name);
    for (int p = 0; p <= 5; ++p) {
      INFO(r.name << " protocol " << p);
      CHECK(memcache::unpickle(memcache::pickle(v, p)) == v);
    }
  }
  CHECK_THROWS_AS(memcache::pickle(PyValue(), 6), ValueError);
  CHECK_THROWS_AS(memcache::pickle(PyValue(), -1), ValueError);
}

TEST_CASE("pickles CPython made of classes, functions and recursive structures are refused", "[unit][python]") {
  std::size_t refused = 0;
  for (const Row& r : rows()) {
    if (r.kind != "refused") continue;
    INFO(r.name << " protocol " << r.protocol);
    CHECK_THROWS_WITH(memcache::unpickle(r.pickle), Contains(r.text));
    ++refused;
  }
  CHECK(refused >= 40);
}

namespace {

std::string proto(int p) { return std::string("\x80") + static_cast<char>(p); }

std::string u32(std::uint32_t n) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

std::string u64(std::uint64_t n) {
  std::string s;
  for (int i = 0; i < 8; ++i) s += static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

}  // namespace

TEST_CASE("every opcode that imports or calls code is refused by name", "[unit][python]") {
  struct Case {
    const char* opcode;
    std::string pickle;
  };
  const std::vector<Case> cases = {
      {"GLOBAL", "cos\nsystem\n(S'echo hi'\ntR."},
      {"GLOBAL", "cbuiltins\neval\n."},
      {"STACK_GLOBAL", proto(4) + "\x8c\x02os\x8c\x06system\x93."},
      {"REDUCE", proto(2) + "N)R."},
      {"BUILD", proto(2) + "}}b."},
      {"INST", "(ios\nsystem\n."},
      {"OBJ", "(N)o."},
      {"NEWOBJ", proto(2) + "N)\x81."},
      {"NEWOBJ_EX", proto(4) + "N)}\x92."},
      {"EXT1", proto(2) + "\x82\x01."},
      {"EXT2", proto(2) + "\x83\x01\x00."s},
      {"EXT4", proto(2) + "\x84\x01\x00\x00\x00."s},
      {"PERSID", "Pid\n."},
      {"BINPERSID", proto(1) + "NQ."},
      {"NEXT_BUFFER", proto(5) + "\x97."},
      {"READONLY_BUFFER", proto(5) + "N\x98."},
  };
  for (const auto& c : cases) {
    INFO(c.opcode);
    CHECK_THROWS_AS(memcache::unpickle(c.pickle), ValueError);
    CHECK_THROWS_WITH(memcache::unpickle(c.pickle), Contains(std::string("opcode ") + c.opcode + " "));
  }
  // An allowed global is still refused unless called as CPython calls it.
  CHECK_THROWS_WITH(memcache::unpickle("c__builtin__\nset\n."), Contains("never called"));
  CHECK_THROWS_AS(memcache::unpickle("c__builtin__\nset\n(S'abc'\ntR."), ValueError);
  CHECK_THROWS_AS(memcache::unpickle("c_codecs\nencode\n(Vabc\nVutf-8\ntR."), ValueError);
}

TEST_CASE("hostile pickles are refused within bounds, before allocating", "[unit][python]") {
  SECTION("memo bomb: each level holds the previous one twice") {
    std::string p = proto(2) + "]q\x00"s;
    for (int i = 0; i < 64; ++i) p += "(h\x00h\x00lq\x00"s;
    p += ".";
    CHECK_THROWS_WITH(memcache::unpickle(p), Contains("more than"));
  }
  SECTION("memo bomb of text: a 1 MiB str referenced 1000 times") {
    std::string p = proto(4) + "(\x8d" + u64(1 << 20) + std::string(1 << 20, 'x') + "\x94";
    for (int i = 0; i < 1000; ++i) p += "h\x00"s;
    p += "l.";
    CHECK_THROWS_WITH(memcache::unpickle(p), Contains("bytes of text"));
  }
  SECTION("a shared value that stays under the limits is expanded") {
    std::string p = proto(2) + "]q\x00"s;
    for (int i = 0; i < 10; ++i) p += "(h\x00h\x00lq\x00"s;
    p += ".";
    const PyValue v = memcache::unpickle(p);
    CHECK(v.size() == 2);
    CHECK(v[0] == v[1]);
  }
  SECTION("deep nesting") {
    const std::string p = proto(2) + std::string(5000, ']') + std::string(4999, 'a') + ".";
    CHECK_THROWS_WITH(memcache::unpickle(p), Contains("nested deeper than 1000"));
    memcache::UnpickleLimits deeper;
    deeper.max_depth = 6000;
    CHECK(memcache::unpickle(p, deeper).is_list());
  }
  SECTION("claimed lengths longer than the input") {
    for (const std::string& p :
         {proto(4) + "\x8d" + u64(~std::uint64_t(0)) + "x.", proto(3) + "B" + u32(0xffffffffu) + "x.",
          proto(1) + "X" + u32(0x7fffffffu) + "x.", proto(4) + "\x8e" + u64(std::uint64_t(1) << 62) + ".",
          proto(5) + "\x96" + u64(std::uint64_t(1) << 40) + ".", proto(2) + "\x8b" + u32(0x7fffffffu) + ".",
          proto(1) + "T" + u32(0x7ffffff0u) + ".", proto(4) + "\x95" + u64(std::uint64_t(1) << 50) + "N."}) {
      CHECK_THROWS_WITH(memcache::unpickle(p), Contains("remain") || Contains("longer than the input"));
    }
  }
  SECTION("an int longer than the limit") {
    const std::string p = proto(2) + "\x8b" + u32(100000) + std::string(100000, '\x01') + ".";
    CHECK_THROWS_WITH(memcache::unpickle(p), Contains("an int of 100000 bytes"));
  }
  SECTION("memo indices far beyond the input") {
    CHECK_THROWS_WITH(memcache::unpickle(proto(2) + "Nr\xff\xff\xff\xff."), Contains("memo index"));
    CHECK_THROWS_WITH(memcache::unpickle("Np99999999999\n."), Contains("memo index"));
    CHECK_THROWS_WITH(memcache::unpickle(proto(2) + "h\x05."), Contains("memo key 5 not found"));
  }
  SECTION("malformed") {
    for (const std::string& p :
         {std::string(), std::string("N"), proto(2) + "K", proto(9) + "N.", std::string("\xff."), std::string("a."),
          std::string("(N0."), proto(2) + "}]K\x01s.", proto(4) + "\x8f]\x94(h\x00\x90."s, std::string("I12x\n."),
          std::string("F1.5.2\n."), std::string("Vabc"), std::string("S'abc\n."),
          proto(2) + "X\x02\x00\x00\x00\xc3\x28."s, std::string("Vab\\u12\n."),
          std::string("(K\x01K\x02K\x03"
                      "d."),
          proto(2) + "K\x01K\x02\x86"
                     "a."}) {
      INFO(Catch::Detail::stringify(p));
      CHECK_THROWS_AS(memcache::unpickle(p), ValueError);
    }
  }
}

TEST_CASE("a list appended to after it was referenced reads as Python reads it", "[unit][python]") {
  // l = []; d = {'a': l}; then l.append(1) before STOP: both places see [1].
  const std::string p = proto(2) +
                        "]q\x00}q\x01X\x01\x00\x00\x00"s
                        "ah\x00sh\x00K\x01"s
                        "a0.";
  const PyValue v = memcache::unpickle(p);
  CHECK(v == PyValue::dict({{"a", PyValue::list({1})}}));
}

TEST_CASE("repeated dict keys keep their first place and last value, as Python", "[unit][python]") {
  const std::string p = proto(2) +
                        "}(X\x01\x00\x00\x00"s
                        "aK\x01X\x01\x00\x00\x00"s
                        "bK\x02X\x01\x00\x00\x00"s
                        "aK\x03u.";
  const PyValue v = memcache::unpickle(p);
  REQUIRE(v.size() == 2);
  CHECK(v.items()[0] == PyValue::Item("a", 3));
  CHECK(v.items()[1] == PyValue::Item("b", 2));
}

TEST_CASE("Python 2 strings and longs read as Python 3 reads them", "[unit][python]") {
  CHECK(memcache::unpickle("S'it\\'s\\n'\n.") == PyValue("it's\n"));
  CHECK(memcache::unpickle("L1180591620717411303424L\n.") == PyValue::integer("1180591620717411303424"));
  CHECK(memcache::unpickle(proto(2) + "U\x03"
                                      "abc.") == PyValue("abc"));
  CHECK_THROWS_AS(memcache::unpickle("S'\\xe9'\n."), ValueError);  // Python 3: UnicodeDecodeError (ASCII)
}
