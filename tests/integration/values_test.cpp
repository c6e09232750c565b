// Values and their flags on a real server: strings (0), Text (16), integers
// (2), compression (+8), raw memcache::Value with unknown flags, a user codec,
// and values that cannot be decoded.

#include <random>

#include "common.hpp"

using namespace itest;

namespace {

struct Point {
  int x = 0;
  int y = 0;
  friend bool operator==(const Point& a, const Point& b) { return a.x == b.x && a.y == b.y; }
};

}  // namespace

template <>
struct memcache::codec<Point> {
  static memcache::Value encode(const Point& p) {
    return memcache::Value(std::to_string(p.x) + "," + std::to_string(p.y), 0x100);
  }
  static Point decode(const memcache::Value& v) {
    if (v.flags() != 0x100) memcache::detail::throw_bad_flags(v.flags(), "Point");
    auto comma = v.bytes().find(',');
    if (comma == std::string::npos) throw memcache::ValueError("not a Point");
    return Point{std::stoi(v.bytes().substr(0, comma)), std::stoi(v.bytes().substr(comma + 1))};
  }
};

namespace {

// A user type that also converts to std::string_view: its codec, not the
// conversion, decides what is stored (the conversion once won on writes only).
struct Tag {
  std::string name;
  operator std::string_view() const { return name; }
};

}  // namespace

template <>
struct memcache::codec<Tag> {
  static memcache::Value encode(const Tag& t) { return memcache::Value("tag:" + t.name, 0x200); }
  static Tag decode(const memcache::Value& v) {
    if (v.flags() != 0x200 || v.bytes().rfind("tag:", 0) != 0) memcache::detail::throw_bad_flags(v.flags(), "Tag");
    return Tag{v.bytes().substr(4)};
  }
};

TEST_CASE("strings, Text and integers carry python-memcached's flags", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());

  CHECK(mc.set("bytes", "raw"));
  CHECK(mc.get<memcache::Value>("bytes") == memcache::Value("raw", 0));

  CHECK(mc.set("text", memcache::Text("h\xc3\xa9llo")));
  CHECK(mc.get<memcache::Value>("text") == memcache::Value("h\xc3\xa9llo", 16));
  CHECK(mc.get<memcache::Text>("text") == memcache::Text("h\xc3\xa9llo"));
  CHECK(mc.get("text") == OptStr("h\xc3\xa9llo"));

  CHECK(mc.set("int", 42));
  CHECK(mc.get<memcache::Value>("int") == memcache::Value("42", 2));
  CHECK(mc.get<int>("int") == std::optional<int>(42));
  CHECK(mc.get<long long>("int") == std::optional<long long>(42));
  CHECK(mc.get("int") == OptStr("42"));

  CHECK(mc.set("neg", -7));
  CHECK(mc.get<memcache::Value>("neg") == memcache::Value("-7", 2));
  CHECK(mc.get<int>("neg") == std::optional<int>(-7));

  CHECK(mc.set("i64", std::int64_t{-9223372036854775807LL - 1}));
  CHECK(mc.get<memcache::Value>("i64")->bytes() == "-9223372036854775808");
  CHECK(mc.get<std::int64_t>("i64") == std::optional<std::int64_t>(-9223372036854775807LL - 1));

  // bool as python-memcached stores True: a protocol 0 pickle, flag 1.
  CHECK(mc.set("bool", true));
  CHECK(mc.get<memcache::Value>("bool") == memcache::Value("I01\n.", 1));
  CHECK(mc.get<bool>("bool") == std::optional<bool>(true));
  CHECK(mc.set("bool:false", false));
  CHECK(mc.get<bool>("bool:false") == std::optional<bool>(false));
  // Integers (as earlier versions stored bools) still read as bool.
  CHECK(mc.set("bool:int", memcache::Value("1", 2)));
  CHECK(mc.get<bool>("bool:int") == std::optional<bool>(true));

  // Python's long (flag 4) reads as an integer too.
  CHECK(mc.set("long", memcache::Value("123", 4)));
  CHECK(mc.get<int>("long") == std::optional<int>(123));

  // Flags come back through get_multi as well.
  auto all = mc.get_multi<memcache::Value>({"bytes", "text", "int"});
  REQUIRE(all.size() == 3);
  CHECK(all.at("bytes").flags() == 0);
  CHECK(all.at("text").flags() == 16);
  CHECK(all.at("int").flags() == 2);

  // A typed set_multi stores each value with its type's flags.
  std::map<std::string, int> numbers{{"one", 1}, {"two", 2}};
  CHECK(mc.set_multi(numbers).empty());
  CHECK(mc.get<memcache::Value>("two") == memcache::Value("2", 2));
  CHECK(mc.get_multi<int>({"one", "two"}) == std::unordered_map<std::string, int>{{"one", 1}, {"two", 2}});
}

TEST_CASE("min_compress_len compresses only when asked and smaller", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());

  const std::string repetitive(10000, 'a');
  std::mt19937 rng(42);
  std::string noise(4000, '\0');
  for (auto& c : noise) c = static_cast<char>(rng() & 0xff);

  SECTION("compressible and long enough: flag 8, fewer bytes, read back equal") {
    CHECK(mc.set("k", repetitive, 0, 100));
    auto raw = mc.get<memcache::Value>("k");
    REQUIRE(raw);
    CHECK(raw->flags() == memcache::flags::compressed);
    CHECK(raw->is_compressed());
    CHECK(raw->bytes().size() < 200);
    CHECK(raw->as<std::string>() == repetitive);  // Value::as inflates
    CHECK(mc.get("k") == OptStr(repetitive));
    CHECK(mc.get_multi({"k"}) == std::unordered_map<std::string, std::string>{{"k", repetitive}});
  }
  SECTION("Text keeps flag 16 beside 8") {
    CHECK(mc.set("t", memcache::Text(repetitive), 0, 100));
    CHECK(mc.get<memcache::Value>("t")->flags() == (memcache::flags::text | memcache::flags::compressed));
    CHECK(mc.get<memcache::Text>("t") == memcache::Text(repetitive));
  }
  SECTION("incompressible: stored as is") {
    CHECK(mc.set("k", noise, 0, 100));
    CHECK(mc.get<memcache::Value>("k") == memcache::Value(noise, 0));
    CHECK(mc.get("k") == OptStr(noise));
  }
  SECTION("not longer than min_compress_len: stored as is") {
    CHECK(mc.set("k", std::string(100, 'a'), 0, 100));
    CHECK(mc.get<memcache::Value>("k") == memcache::Value(std::string(100, 'a'), 0));
    CHECK(mc.set("k2", std::string(101, 'a'), 0, 100));
    CHECK(mc.get<memcache::Value>("k2")->flags() == memcache::flags::compressed);
  }
  SECTION("0 turns it off") {
    CHECK(mc.set("k", repetitive, 0, 0));
    CHECK(mc.get<memcache::Value>("k") == memcache::Value(repetitive, 0));
  }
  SECTION("integers are never compressed") {
    CHECK(mc.set("n", 1111111111111111111LL, 0, 1));
    CHECK(mc.get<memcache::Value>("n") == memcache::Value("1111111111111111111", 2));
  }
  SECTION("every storing call and set_multi compress") {
    CHECK(mc.add("a", repetitive, 0, 100));
    CHECK(mc.replace("a", repetitive, 0, 100));
    CHECK(mc.get<memcache::Value>("a")->flags() == memcache::flags::compressed);
    std::map<std::string, std::string> batch{{"m1", repetitive}, {"m2", "short"}};
    CHECK(mc.set_multi(batch, 0, "", 100).empty());
    CHECK(mc.get<memcache::Value>("m1")->flags() == memcache::flags::compressed);
    CHECK(mc.get<memcache::Value>("m2") == memcache::Value("short", 0));
    CHECK(mc.get_multi({"m1", "m2"}) ==
          std::unordered_map<std::string, std::string>{{"m1", repetitive}, {"m2", "short"}});
  }
}

TEST_CASE("a user type convertible to string_view is stored through its codec", "[integration]") {
  MemcachedServer server;
  memcache::Client mc({server.spec()}, itest::options());
  CHECK(mc.set("tag", Tag{"blue"}));
  CHECK(mc.get<memcache::Value>("tag") == memcache::Value("tag:blue", 0x200));
  auto tag = mc.get<Tag>("tag");
  REQUIRE(tag);
  CHECK(tag->name == "blue");
  CHECK(mc.set_multi(std::map<std::string, Tag>{{"t1", Tag{"red"}}}).empty());
  CHECK(mc.get<memcache::Value>("t1") == memcache::Value("tag:red", 0x200));
}

TEST_CASE("a custom compressor is used and undone", "[integration]") {
  MemcachedServer server;
  memcache::Options options = itest::options();
  // Run-length of one repeated byte: "<count>:<byte>".
  options.compressor = [](std::string_view s) { return std::to_string(s.size()) + ":" + std::string(1, s.at(0)); };
  options.decompressor = [](std::string_view s) {
    auto colon = s.find(':');
    return std::string(std::stoul(std::string(s.substr(0, colon))), s.at(colon + 1));
  };
  memcache::Client mc({server.spec()}, options);
  CHECK(mc.set("k", std::string(5000, 'q'), 0, 10));
  CHECK(mc.get<memcache::Value>("k") == memcache::Value("5000:q", memcache::flags::compressed));
  CHECK(mc.get("k") == OptStr(std::string(5000, 'q')));
  // A raw Value decodes with the client's decompressor when given its options.
  auto raw = mc.get<memcache::Value>("k");
  REQUIRE(raw);
  CHECK(raw->as<std::string>(mc.options()) == std::string(5000, 'q'));
  CHECK_THROWS_AS(raw->as<std::string>(), memcache::ValueError);  // zlib cannot read it
  auto many = mc.get_multi({"k"});
  CHECK(many.at("k") == std::string(5000, 'q'));
}

TEST_CASE("memcache::Value reads unknown flags, a user codec round-trips", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());

  CHECK(mc.set("raw", memcache::Value("payload", 0x1234)));
  CHECK(mc.get<memcache::Value>("raw") == memcache::Value("payload", 0x1234));
  CHECK(mc.set("max-flags", memcache::Value("x", 0xffffffffu)));
  CHECK(mc.get<memcache::Value>("max-flags") == memcache::Value("x", 0xffffffffu));
  CHECK(mc.set("pickle", memcache::Value("\x80\x04K*.", 1)));
  CHECK(mc.get<memcache::Value>("pickle") == memcache::Value("\x80\x04K*.", 1));

  CHECK(mc.set("point", Point{3, -4}));
  CHECK(mc.get<memcache::Value>("point") == memcache::Value("3,-4", 0x100));
  CHECK(mc.get<Point>("point") == std::optional<Point>(Point{3, -4}));
  auto points = mc.get_multi<Point>({"point", "raw"});  // "raw" cannot be a Point
  REQUIRE(points.size() == 1);
  CHECK(points.at("point") == Point{3, -4});
}

TEST_CASE("undecodable values throw ValueError, get_multi returns the others", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Options options = itest::options();
  options.max_connections_per_server = 1;  // the connection must stay in step after each throw
  LogCapture log;
  options.debug = true;
  options.log = log.sink();
  memcache::Client mc({server.spec()}, options);

  CHECK(mc.set("unknown-flags", memcache::Value("payload", 0x1234)));
  CHECK(mc.set("pickle", memcache::Value("\x80\x04K*.", 1)));
  CHECK(mc.set("bad-zlib", memcache::Value("not a zlib stream", memcache::flags::compressed)));
  CHECK(mc.set("not-a-number", "twelve"));
  CHECK(mc.set("good", "fine"));

  CHECK_THROWS_AS(mc.get("unknown-flags"), memcache::ValueError);
  CHECK_THROWS_AS(mc.get("pickle"), memcache::ValueError);
  CHECK_THROWS_AS(mc.get("bad-zlib"), memcache::ValueError);
  CHECK_THROWS_AS(mc.get<memcache::Text>("bad-zlib"), memcache::ValueError);
  CHECK_THROWS_AS(mc.get<int>("not-a-number"), memcache::ValueError);
  CHECK_THROWS_AS(mc.get<memcache::Text>("unknown-flags"), memcache::ValueError);
  CHECK_THROWS_AS(mc.gets("unknown-flags"), memcache::ValueError);
  CHECK_THROWS_AS(mc.gets_cas<int>("not-a-number"), memcache::ValueError);
  try {
    mc.get("unknown-flags");
    FAIL("no throw");
  } catch (const memcache::Error& e) {
    const std::string what = e.what();
    CHECK(what.find("unknown-flags") != std::string::npos);
    CHECK(what.find("4660") != std::string::npos);  // 0x1234
  }
  // Value still reads them all as stored.
  CHECK(mc.get<memcache::Value>("bad-zlib") == memcache::Value("not a zlib stream", memcache::flags::compressed));

  // get_multi leaves out what cannot be decoded, keeps the rest, and logs why.
  log.clear();
  auto found = mc.get_multi({"unknown-flags", "good", "pickle", "bad-zlib", "missing"});
  CHECK(found == std::unordered_map<std::string, std::string>{{"good", "fine"}});
  CHECK(log.contains("unknown-flags"));
  auto numbers = mc.get_multi<int>({"not-a-number", "good"});
  CHECK(numbers.empty());
  CHECK(mc.set("n", 5));
  CHECK(mc.get_multi<int>({"not-a-number", "n"}) == std::unordered_map<std::string, int>{{"n", 5}});

  // The one connection is still in step.
  CHECK(mc.get("good") == OptStr("fine"));
  CHECK(mc.set("after", "ok"));
  CHECK(mc.get("after") == OptStr("ok"));
}
