// examples/web_cache beside a Flask app (examples/web_cache/flask_app.py,
// python-memcached): both cache profiles as Python dicts under the same keys,
// and each serves the dict the other cached.

#include <catch2/catch.hpp>

#include <string>

#include <memcache/memcache.hpp>
#include <memcache/python.hpp>

#include "http_client.hpp"
#include "memcached_server.hpp"
#include "web_cache_process.hpp"

using memcache::PyValue;
using memcache::test::http_get;
using memcache::test::MemcachedServer;
using memcache::test::WebCacheProcess;

namespace {

// jsonify ends its body with a newline; the C++ app does not.
std::string chomp(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("the C++ web_cache and a Flask app share cached dicts", "[integration][example][python]") {
  MemcachedServer server;
  WebCacheProcess cpp({"--servers", server.spec()});
  WebCacheProcess flask(WEB_CACHE_PYTHON, {WEB_CACHE_FLASK_APP, "--servers", server.spec(), "--port", "0"});

  // C++ loads profile 1 and caches the dict; Flask reads that dict.
  auto cpp_miss = http_get(cpp.port(), "/profile/1");
  CHECK(cpp_miss.status == 200);
  CHECK(cpp_miss.headers["X-Cache"] == "MISS");
  CHECK(cpp_miss.body ==
        R"({"id":1,"name":"user-1","tags":["reader","writer"],"score":0.5,"active":true,"manager":null,)"
        R"("built_by":"c++"})");
  auto flask_hit = http_get(flask.port(), "/profile/1");
  CHECK(flask_hit.status == 200);
  CHECK(flask_hit.headers["X-Cache"] == "HIT");
  CHECK(chomp(flask_hit.body) == cpp_miss.body);  // jsonify of the dict Python unpickled

  // Flask loads profile 2 and caches the dict; C++ reads that dict.
  auto flask_miss = http_get(flask.port(), "/profile/2");
  CHECK(flask_miss.headers["X-Cache"] == "MISS");
  CHECK(chomp(flask_miss.body) ==
        R"({"id":2,"name":"user-2","tags":["reader","writer"],"score":0.5,"active":true,"manager":null,)"
        R"("built_by":"flask"})");
  auto cpp_hit = http_get(cpp.port(), "/profile/2");
  CHECK(cpp_hit.headers["X-Cache"] == "HIT");
  CHECK(cpp_hit.body == chomp(flask_miss.body));

  // What each stored is the same kind of value: a pickled dict (flag 1).
  memcache::Client mc({server.spec()});
  for (const char* key : {"profile:1", "profile:2"}) {
    INFO(key);
    CHECK(mc.get<memcache::Value>(key)->flags() == memcache::flags::pickle);
    const auto profile = mc.get<PyValue>(key);
    REQUIRE(profile);
    CHECK((*profile)["tags"] == PyValue::list({"reader", "writer"}));
    CHECK((*profile)["active"].is_bool());
    CHECK((*profile)["manager"].is_none());
  }
  CHECK(cpp.stop() == 0);
}
