// memcache::PyValue: building, inspecting, comparing, JSON; and the codecs
// that store Python values as python-memcached does.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <memcache/codec.hpp>
#include <memcache/python.hpp>

using Catch::Matchers::Contains;
using namespace std::string_literals;
using memcache::codec;
using memcache::PyValue;
using memcache::Value;
using memcache::ValueError;

TEST_CASE("PyValue builds and inspects like the Python value", "[unit][python]") {
  const PyValue user = PyValue::dict({{"name", "alice"},
                                      {"age", 31},
                                      {"score", 9.5},
                                      {"admin", false},
                                      {"tags", PyValue::list({"a", "b"})},
                                      {"avatar", PyValue::bytes("\x89PNG")},
                                      {"point", PyValue::tuple({1, 2})},
                                      {"nick", nullptr}});
  CHECK(user.is_dict());
  CHECK(user.size() == 8);
  CHECK(user["name"].as_str() == "alice");
  CHECK(user["age"].as_int() == 31);
  CHECK(user["score"].as_float() == 9.5);
  CHECK(user["admin"].is_bool());
  CHECK_FALSE(user["admin"].as_bool());
  CHECK(user["tags"].at(1).as_str() == "b");
  CHECK(user["tags"][0] == PyValue("a"));
  CHECK(user["avatar"].as_bytes() == "\x89PNG");
  CHECK(user["point"].is_tuple());
  CHECK(user["nick"].is_none());
  CHECK(user.contains("age"));
  CHECK_FALSE(user.contains("missing"));
  CHECK(user.find("missing") == nullptr);
  CHECK_THROWS_AS(user["missing"], std::out_of_range);
  CHECK_THROWS_AS(user["tags"].at(2), std::out_of_range);
  CHECK_THROWS_WITH(user["name"].as_int(), Contains("str"));
  CHECK(user.items()[0].first == PyValue("name"));  // insertion order
  CHECK(user.items()[7].first == PyValue("nick"));
  CHECK(user.repr() ==
        "{'name': 'alice', 'age': 31, 'score': 9.5, 'admin': False, 'tags': ['a', 'b'], 'avatar': b'\\x89PNG', "
        "'point': (1, 2), 'nick': None}");
}

TEST_CASE("PyValue ints of any size", "[unit][python]") {
  const PyValue big = PyValue::integer("1180591620717411303424");  // 2**70
  CHECK(big.is_int());
  CHECK_FALSE(big.fits_int64());
  CHECK(big.int_str() == "1180591620717411303424");
  CHECK_THROWS_AS(big.as_int(), ValueError);
  CHECK(PyValue::integer("-9223372036854775808") == PyValue(std::numeric_limits<std::int64_t>::min()));
  CHECK(PyValue::integer("-9223372036854775808").fits_int64());
  CHECK_FALSE(PyValue::integer("-9223372036854775809").fits_int64());
  CHECK(PyValue::integer("9223372036854775807").fits_int64());
  CHECK_FALSE(PyValue::integer("9223372036854775808").fits_int64());
  CHECK(PyValue(std::numeric_limits<std::uint64_t>::max()).int_str() == "18446744073709551615");
  CHECK(PyValue::integer(" 007 ") == PyValue(7));
  CHECK(PyValue::integer("-0") == PyValue(0));
  CHECK(PyValue::integer("1_000") == PyValue(1000));
  CHECK_THROWS_AS(PyValue::integer("12a"), ValueError);
  CHECK_THROWS_AS(PyValue::integer(""), ValueError);
  CHECK(compare(PyValue::integer("-1180591620717411303424"), PyValue(-5)) < 0);
  CHECK(compare(big, PyValue(5)) > 0);
}

TEST_CASE("PyValue equality is exact about types and bits", "[unit][python]") {
  CHECK(PyValue(1) != PyValue(true));
  CHECK(PyValue(1) != PyValue(1.0));
  CHECK(PyValue("a") != PyValue::bytes("a"));
  CHECK(PyValue::list({1}) != PyValue::tuple({1}));
  CHECK(PyValue::set({1}) != PyValue::frozenset({1}));
  CHECK(PyValue(0.0) != PyValue(-0.0));
  CHECK(PyValue(std::nan("")) == PyValue(std::nan("")));
  // Like Python's ==, dicts and sets compare without regard to order.
  CHECK(PyValue::dict({{"a", 1}, {"b", 2}}) == PyValue::dict({{"b", 2}, {"a", 1}}));
  CHECK(PyValue::dict({{"a", 1}, {"b", 2}}) != PyValue::dict({{"a", 2}, {"b", 1}}));
  CHECK(PyValue::set({1, 2, 3}) == PyValue::set({3, 1, 2}));
  CHECK(PyValue::list({1, 2}) != PyValue::list({2, 1}));
}

TEST_CASE("PyValue dicts and sets take hashable keys once", "[unit][python]") {
  PyValue d = PyValue::dict({{"a", 1}, {"b", 2}, {"a", 3}});
  CHECK(d.repr() == "{'a': 3, 'b': 2}");
  d.set_item("c", 4);
  d.set_item("a", 5);
  CHECK(d.repr() == "{'a': 5, 'b': 2, 'c': 4}");
  CHECK(PyValue::dict({{PyValue::tuple({1, PyValue::bytes("x")}), 1}}).is_dict());
  CHECK_THROWS_WITH(PyValue::dict({{PyValue::list(), 1}}), Contains("unhashable type: 'list'"));
  CHECK_THROWS_AS(PyValue::set({PyValue::dict()}), ValueError);
  CHECK_THROWS_AS(PyValue::set({PyValue::tuple({PyValue::list()})}), ValueError);
  PyValue s = PyValue::set({1, 2, 2, 1});
  CHECK(s.size() == 2);
  s.add(3);
  s.add(1);
  CHECK(s.repr() == "{1, 2, 3}");
  PyValue l = PyValue::list();
  l.append("x");
  CHECK(l.repr() == "['x']");
  CHECK_THROWS_AS(d.append(1), ValueError);
}

TEST_CASE("PyValue repr as Python's", "[unit][python]") {
  CHECK(PyValue().repr() == "None");
  CHECK(PyValue(true).repr() == "True");
  CHECK(PyValue(1.0).repr() == "1.0");
  CHECK(PyValue(0.1).repr() == "0.1");
  CHECK(PyValue(1e16).repr() == "1e+16");
  CHECK(PyValue(1e15).repr() == "1000000000000000.0");
  CHECK(PyValue(1e-5).repr() == "1e-05");
  CHECK(PyValue(0.0001).repr() == "0.0001");
  CHECK(PyValue(-2.5e-300).repr() == "-2.5e-300");
  CHECK(PyValue(123456.789).repr() == "123456.789");
  CHECK(PyValue(std::numeric_limits<double>::infinity()).repr() == "inf");
  CHECK(PyValue("it's").repr() == "\"it's\"");
  CHECK(PyValue("a\nb\\").repr() == "'a\\nb\\\\'");
  CHECK(PyValue::tuple({1}).repr() == "(1,)");
  CHECK(PyValue::tuple().repr() == "()");
  CHECK(PyValue::set().repr() == "set()");
  CHECK(PyValue::frozenset({1}).repr() == "frozenset({1})");
  CHECK(PyValue::bytes("a'\x00\xff"s).repr() == "b\"a'\\x00\\xff\""s);
}

TEST_CASE("PyValue to_json", "[unit][python]") {
  const PyValue v = PyValue::dict({{"name", "al\"ice\n\xc3\xa9"},
                                   {"n", PyValue::integer("1180591620717411303424")},
                                   {"f", 1.0},
                                   {"l", PyValue::list({true, nullptr, PyValue::tuple({1, 2.5})})},
                                   {"e", PyValue::dict()}});
  CHECK(v.to_json() ==
        "{\"name\":\"al\\\"ice\\n\xc3\xa9\",\"n\":1180591620717411303424,\"f\":1.0,\"l\":[true,null,[1,2.5]],"
        "\"e\":{}}");
  CHECK_THROWS_WITH(PyValue::bytes("x").to_json(), Contains("bytes"));
  CHECK_THROWS_WITH(PyValue::set({1}).to_json(), Contains("set"));
  CHECK_THROWS_WITH(PyValue::dict({{1, 2}}).to_json(), Contains("key"));
  CHECK_THROWS_AS(PyValue(std::nan("")).to_json(), ValueError);
  CHECK(PyValue("\x01").to_json() == "\"\\u0001\"");
}

TEST_CASE("codec<PyValue> stores what python-memcached stores", "[unit][python]") {
  // str: flag 16 UTF-8; bytes: 0; int (any size, not bool): 2 decimal; else a protocol 0 pickle, flag 1.
  CHECK(codec<PyValue>::encode("h\xc3\xa9") == Value("h\xc3\xa9", 16));
  CHECK(codec<PyValue>::encode(PyValue::bytes("raw")) == Value("raw", 0));
  CHECK(codec<PyValue>::encode(42) == Value("42", 2));
  CHECK(codec<PyValue>::encode(PyValue::integer("-1180591620717411303424")) == Value("-1180591620717411303424", 2));
  CHECK(codec<PyValue>::encode(true) == Value("I01\n.", 1));
  CHECK(codec<PyValue>::encode(3.5) == Value("F3.5\n.", 1));
  CHECK(codec<PyValue>::encode(PyValue()) == Value("N.", 1));
  CHECK(codec<PyValue>::encode(PyValue::dict({{"a", 1}})) == Value("(dVa\nI1\ns.", 1));
  CHECK(codec<memcache::Pickled>::encode({PyValue::list({1}), 2}) == Value("\x80\x02]K\x01"
                                                                           "a.",
                                                                           1));
  CHECK_THROWS_AS(codec<PyValue>::encode(PyValue("\xff")), ValueError);
}

TEST_CASE("codec<PyValue> reads every flag python-memcached writes", "[unit][python]") {
  CHECK(codec<PyValue>::decode(Value("raw", 0)) == PyValue::bytes("raw"));
  CHECK(codec<PyValue>::decode(Value("t\xc3\xa9xt", 16)) == PyValue("t\xc3\xa9xt"));
  CHECK(codec<PyValue>::decode(Value("1180591620717411303424", 2)) == PyValue::integer("1180591620717411303424"));
  CHECK(codec<PyValue>::decode(Value("12 ", 4)) == PyValue(12));
  CHECK(codec<PyValue>::decode(Value("\x80\x05K\x07.", 1)) == PyValue(7));
  CHECK_THROWS_AS(codec<PyValue>::decode(Value("\xff", 16)), ValueError);
  CHECK_THROWS_AS(codec<PyValue>::decode(Value("x", 2)), ValueError);
  CHECK_THROWS_WITH(codec<PyValue>::decode(Value("x", 0x100)), Contains("flags 256"));
  // flag 1 that is no pickle: PHP's serialize(), Perl's Storable (nfreeze).
  CHECK_THROWS_WITH(codec<PyValue>::decode(Value("a:1:{s:1:\"a\";i:1;}", 1)), Contains("not a Python pickle"));
  CHECK_THROWS_WITH(codec<PyValue>::decode(Value("\x05\x0b\x03\x00\x00\x00\x01"s, 1)), Contains("not a Python pickle"));
  CHECK_THROWS_WITH(codec<PyValue>::decode(Value("cos\nsystem\n.", 1)), Contains("GLOBAL"));
  // Other typed getters point at PyValue for pickles.
  CHECK_THROWS_WITH(codec<std::string>::decode(Value("N.", 1)), Contains("memcache::PyValue"));
}

TEST_CASE("bool is stored as python-memcached stores True and False", "[unit][python]") {
  CHECK(codec<bool>::encode(true) == Value("I01\n.", 1));
  CHECK(codec<bool>::encode(false) == Value("I00\n.", 1));
  CHECK(codec<bool>::decode(Value("I01\n.", 1)) == true);
  CHECK(codec<bool>::decode(Value("\x80\x02\x89.", 1)) == false);
  CHECK(codec<bool>::decode(Value("\x80\x04\x88.", 1)) == true);
  CHECK_THROWS_AS(codec<bool>::decode(Value("N.", 1)), ValueError);
  // Integers (as earlier versions wrote bools): nonzero is true.
  CHECK(codec<bool>::decode(Value("1", 2)) == true);
  CHECK(codec<bool>::decode(Value("0", 2)) == false);
}

TEST_CASE("double, vectors and maps are stored as Python float, list and dict", "[unit][python]") {
  CHECK(codec<double>::encode(2.5) == Value("F2.5\n.", 1));
  CHECK(codec<double>::decode(Value("F2.5\n.", 1)) == 2.5);
  CHECK(codec<double>::decode(Value("3", 2)) == 3.0);
  CHECK(codec<double>::decode(
            Value("\x80\x04\x95\x0a\x00\x00\x00\x00\x00\x00\x00G@\x04\x00\x00\x00\x00\x00\x00."s, 1)) == 2.5);
  CHECK_THROWS_AS(codec<double>::decode(Value("abc", 16)), ValueError);

  const std::vector<int> ints = {1, 2, 3};
  CHECK(codec<std::vector<int>>::encode(ints) == Value("(lI1\naI2\naI3\na.", 1));
  CHECK(codec<std::vector<int>>::decode(codec<std::vector<int>>::encode(ints)) == ints);
  CHECK(codec<std::vector<int>>::decode(Value(memcache::pickle(PyValue::tuple({4, 5}), 2), 1)) ==
        std::vector<int>{4, 5});

  using Lists = std::map<std::string, std::vector<std::string>>;
  const Lists m = {{"a", {"x", "y"}}, {"b", {}}};
  const Value stored = codec<Lists>::encode(m);
  CHECK(stored.flags() == 1);
  CHECK(memcache::unpickle(stored.bytes()) ==
        PyValue::dict({{"a", PyValue::list({"x", "y"})}, {"b", PyValue::list()}}));
  CHECK(codec<Lists>::decode(stored) == m);
  using Scores = std::unordered_map<std::string, double>;
  CHECK(codec<Scores>::decode(codec<Scores>::encode(Scores{{"a", 1.5}})) == Scores{{"a", 1.5}});
  using Ints = std::map<std::string, int>;
  CHECK_THROWS_WITH(codec<Ints>::decode(Value("(lI1\na.", 1)), Contains("list"));
  CHECK_THROWS_AS(codec<std::vector<int>>::decode(Value(memcache::pickle(PyValue::list({"x"})), 1)), ValueError);
  CHECK_THROWS_AS(codec<std::vector<std::uint8_t>>::decode(Value(memcache::pickle(PyValue::list({300})), 1)),
                  ValueError);
}
