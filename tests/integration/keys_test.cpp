// Key errors are thrown before anything reaches the wire: the client points
// at a listener that is never served and must never connect to it.

#include "common.hpp"

using namespace itest;

namespace {

// Every call that takes a key, with `key` (and for the multi calls, a good
// key beside it so that one bad key anywhere in the list is enough).
template <class Expected>
void every_call_throws(memcache::Client& mc, const std::string& key) {
  INFO("key: " << key);
  CHECK_THROWS_AS(mc.set(key, "v"), Expected);
  CHECK_THROWS_AS(mc.add(key, "v"), Expected);
  CHECK_THROWS_AS(mc.replace(key, "v"), Expected);
  CHECK_THROWS_AS(mc.append(key, "v"), Expected);
  CHECK_THROWS_AS(mc.prepend(key, "v"), Expected);
  CHECK_THROWS_AS(mc.cas(key, "v"), Expected);
  CHECK_THROWS_AS(mc.cas_with(key, "v", 1), Expected);
  CHECK_THROWS_AS(mc.get(key), Expected);
  CHECK_THROWS_AS(mc.get<memcache::Value>(key), Expected);
  CHECK_THROWS_AS(mc.gets(key), Expected);
  CHECK_THROWS_AS(mc.gets_cas(key), Expected);
  CHECK_THROWS_AS(mc.incr(key), Expected);
  CHECK_THROWS_AS(mc.decr(key), Expected);
  CHECK_THROWS_AS(mc.touch(key, 10), Expected);
  CHECK_THROWS_AS(mc.del(key), Expected);
  CHECK_THROWS_AS(mc.del(key, true), Expected);
  CHECK_THROWS_AS(mc.set(key, "v", 0, 0, true), Expected);
  CHECK_THROWS_AS(mc.get(memcache::Key(7, key)), Expected);
  const std::vector<std::string> keys{"good", key};
  CHECK_THROWS_AS(mc.get_multi(keys), Expected);
  CHECK_THROWS_AS(mc.delete_multi(keys), Expected);
  std::map<std::string, std::string> mapping{{"good", "v"}, {key, "v"}};
  CHECK_THROWS_AS(mc.set_multi(mapping), Expected);
  CHECK_THROWS_AS(mc.set_multi(mapping, 0, "", 0, true), Expected);
  CHECK_THROWS_AS(mc.check_key(key), Expected);
}

}  // namespace

TEST_CASE("bad keys throw the matching KeyError before reaching the wire", "[integration]") {
  SilentListener listener;
  memcache::Options options = quick_options();
  memcache::Client mc({listener.spec()}, options);

  every_call_throws<memcache::KeyNoneError>(mc, "");
  every_call_throws<memcache::KeyLengthError>(mc, std::string(251, 'k'));
  for (std::string bad : {std::string("a b"), std::string("a\r\nb"), std::string("get\r\nflush_all"),
                          std::string("x\r\nset evil 0 0 1\r\nz"), std::string("tab\t"), std::string("nul\0x", 5),
                          std::string("\x7f"), std::string("\n"), std::string("\x01")}) {
    every_call_throws<memcache::KeyCharacterError>(mc, bad);
  }

  // The prefix counts towards the length, and its characters are checked too.
  const std::vector<std::string> short_keys{"a", "b"};
  CHECK_THROWS_AS(mc.get_multi(short_keys, std::string(250, 'p')), memcache::KeyLengthError);
  CHECK_THROWS_AS(mc.get_multi(short_keys, std::string(300, 'p')), memcache::KeyLengthError);
  CHECK_THROWS_AS(mc.delete_multi(short_keys, 0, std::string(250, 'p')), memcache::KeyLengthError);
  CHECK_THROWS_AS(mc.set_multi(std::map<std::string, std::string>{{"a", "v"}}, 0, std::string(250, 'p')),
                  memcache::KeyLengthError);
  CHECK_THROWS_AS(mc.get_multi(short_keys, "bad prefix:"), memcache::KeyCharacterError);
  CHECK_THROWS_AS(mc.get_multi(short_keys, "p\r\n"), memcache::KeyCharacterError);
  CHECK_THROWS_AS(mc.set_multi(std::map<std::string, std::string>{{"a", "v"}}, 0, "p "), memcache::KeyCharacterError);
  CHECK_THROWS_AS(mc.delete_multi(short_keys, 0, "p\x7f"), memcache::KeyCharacterError);

  // Nothing connected, so nothing was sent.
  CHECK(listener.connections() == 0);
}

TEST_CASE("key errors form a hierarchy under memcache::Error", "[integration]") {
  SilentListener listener;
  memcache::Client mc({listener.spec()}, quick_options());
  CHECK_THROWS_AS(mc.get(""), memcache::KeyError);
  CHECK_THROWS_AS(mc.get(std::string(251, 'k')), memcache::KeyError);
  CHECK_THROWS_AS(mc.get("a b"), memcache::KeyError);
  CHECK_THROWS_AS(mc.get("a b"), memcache::Error);
  CHECK_THROWS_AS(mc.get("a b"), std::runtime_error);
  CHECK_THROWS_WITH(mc.get("a b"), Catch::Contains("a b"));
  CHECK(listener.connections() == 0);
}

TEST_CASE("check_key follows python-memcached's rules", "[integration]") {
  SilentListener listener;
  memcache::Client mc({listener.spec()}, quick_options());
  CHECK_NOTHROW(mc.check_key("ok"));
  CHECK_NOTHROW(mc.check_key(std::string(250, 'k')));
  CHECK_THROWS_AS(mc.check_key(std::string(251, 'k')), memcache::KeyLengthError);
  CHECK_NOTHROW(mc.check_key(std::string(240, 'k'), 10));
  CHECK_THROWS_AS(mc.check_key(std::string(241, 'k'), 10), memcache::KeyLengthError);
  CHECK_NOTHROW(mc.check_key("", 3));  // the empty key after a prefix is fine
  CHECK_THROWS_AS(mc.check_key(""), memcache::KeyNoneError);
  CHECK_NOTHROW(mc.check_key("\x21~\x80\xff"));  // 0x21..0x7e and bytes >= 0x80 are allowed
  for (int c = 0; c <= 0x20; ++c)
    CHECK_THROWS_AS(mc.check_key(std::string(1, static_cast<char>(c))), memcache::KeyCharacterError);
  CHECK_THROWS_AS(mc.check_key("\x7f"), memcache::KeyCharacterError);

  memcache::Options longer = quick_options();
  longer.server_max_key_length = 10;
  memcache::Client ten({listener.spec()}, longer);
  CHECK_NOTHROW(ten.check_key("0123456789"));
  CHECK_THROWS_AS(ten.check_key("0123456789a"), memcache::KeyLengthError);
  CHECK_THROWS_AS(ten.get("0123456789a"), memcache::KeyLengthError);
  CHECK(listener.connections() == 0);
}

TEST_CASE("the longest allowed key and the allowed bytes work on a real server", "[integration]") {
  auto transport = ITEST_ANY_TRANSPORT();
  INFO(transport_name(transport));
  MemcachedServer server(transport);
  memcache::Client mc({server.spec()}, itest::options());
  const std::string longest(250, 'k');
  CHECK(mc.set(longest, "v"));
  CHECK(mc.get(longest) == OptStr("v"));
  const std::string prefix(200, 'p');
  const std::string rest(50, 'r');
  CHECK(mc.set_multi(std::map<std::string, std::string>{{rest, "w"}}, 0, prefix).empty());
  CHECK(mc.get(prefix + rest) == OptStr("w"));
  CHECK(mc.get_multi({rest}, prefix) == std::unordered_map<std::string, std::string>{{rest, "w"}});
  const std::string odd = "utf8-\xc3\xa9-punct!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  CHECK(mc.set(odd, "odd"));
  CHECK(mc.get(odd) == OptStr("odd"));
  CHECK(mc.get_multi({odd}) == std::unordered_map<std::string, std::string>{{odd, "odd"}});
}
