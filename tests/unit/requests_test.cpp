// Request encoding: the exact bytes memcached's text protocol expects.

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/requests.hpp"

using namespace std::string_literals;
namespace protocol = memcache::detail::protocol;

namespace {

std::string storage(std::string_view cmd, std::string_view key, std::uint32_t flags, std::int64_t exptime,
                    std::string_view data, std::optional<std::uint64_t> cas = std::nullopt, bool noreply = false) {
  std::string out;
  protocol::encode_storage(out, cmd, key, flags, exptime, data, cas, noreply);
  return out;
}

}  // namespace

TEST_CASE("requests: storage commands", "[unit]") {
  CHECK(storage("set", "user_001", 0, 300, "alice") == "set user_001 0 300 5\r\nalice\r\n");
  CHECK(storage("add", "k", 16, 0, "text") == "add k 16 0 4\r\ntext\r\n");
  CHECK(storage("replace", "k", 2, 60, "42") == "replace k 2 60 2\r\n42\r\n");
  CHECK(storage("append", "k", 0, 0, "tail") == "append k 0 0 4\r\ntail\r\n");
  CHECK(storage("prepend", "k", 0, 0, "head") == "prepend k 0 0 4\r\nhead\r\n");
  CHECK(storage("cas", "k", 0, 0, "v", 12345) == "cas k 0 0 1 12345\r\nv\r\n");
  CHECK(storage("cas", "k", 0, 0, "v", 0) == "cas k 0 0 1 0\r\nv\r\n");
  CHECK(storage("cas", "k", 4294967295u, 2000000000, "v", 18446744073709551615ull) ==
        "cas k 4294967295 2000000000 1 18446744073709551615\r\nv\r\n");
}

TEST_CASE("requests: storage with noreply, negative expiry, empty and binary data", "[unit]") {
  CHECK(storage("set", "k", 0, 0, "v", std::nullopt, true) == "set k 0 0 1 noreply\r\nv\r\n");
  CHECK(storage("cas", "k", 8, 5, "v", 7, true) == "cas k 8 5 1 7 noreply\r\nv\r\n");
  CHECK(storage("set", "k", 0, -1, "v") == "set k 0 -1 1\r\nv\r\n");
  CHECK(storage("set", "k", 0, 0, "") == "set k 0 0 0\r\n\r\n");
  const std::string binary = "a\r\n\0b"s;
  CHECK(storage("set", "bin", 0, 0, binary) == "set bin 0 0 5\r\n" + binary + "\r\n");
}

TEST_CASE("requests: encoders append to what is already there", "[unit]") {
  std::string out = "get a\r\n";
  protocol::encode_storage(out, "set", "k", 0, 0, "v", std::nullopt, false);
  protocol::encode_delete(out, "k", 0, true);
  CHECK(out == "get a\r\nset k 0 0 1\r\nv\r\ndelete k noreply\r\n");
}

TEST_CASE("requests: get and gets of several keys with a prefix", "[unit]") {
  std::string out;
  const std::string_view one[] = {"a"};
  protocol::encode_retrieval(out, false, one, 1);
  CHECK(out == "get a\r\n");

  out.clear();
  std::vector<std::string> prefixed;
  for (const char* k : {"a", "b", "c"}) prefixed.push_back(std::string("prefix:") + k);
  const std::vector<std::string_view> three(prefixed.begin(), prefixed.end());
  protocol::encode_retrieval(out, false, three.data(), three.size());
  CHECK(out == "get prefix:a prefix:b prefix:c\r\n");

  out = "version\r\n";  // appended to what is there
  const std::string_view two[] = {"user_001", "user_002"};
  protocol::encode_retrieval(out, true, two, 2);
  CHECK(out == "version\r\ngets user_001 user_002\r\n");
}

TEST_CASE("requests: get and gets of one key, appended to what is there", "[unit]") {
  std::string out;
  protocol::encode_retrieval(out, false, "user_001");
  CHECK(out == "get user_001\r\n");
  protocol::encode_retrieval(out, true, std::string(250, 'k'));
  CHECK(out == "get user_001\r\ngets " + std::string(250, 'k') + "\r\n");
}

TEST_CASE("requests: incr and decr", "[unit]") {
  std::string out;
  protocol::encode_arith(out, true, "counter", 1, false);
  CHECK(out == "incr counter 1\r\n");
  out.clear();
  protocol::encode_arith(out, false, "counter", 5, false);
  CHECK(out == "decr counter 5\r\n");
  out.clear();
  protocol::encode_arith(out, true, "c", 18446744073709551615ull, true);
  CHECK(out == "incr c 18446744073709551615 noreply\r\n");
  out.clear();
  protocol::encode_arith(out, false, "c", 0, true);
  CHECK(out == "decr c 0 noreply\r\n");
}

TEST_CASE("requests: delete with and without time", "[unit]") {
  std::string out;
  protocol::encode_delete(out, "k", 0, false);
  CHECK(out == "delete k\r\n");
  out.clear();
  protocol::encode_delete(out, "k", 0, true);
  CHECK(out == "delete k noreply\r\n");
  out.clear();
  protocol::encode_delete(out, "k", 10, false);
  CHECK(out == "delete k 10\r\n");
  out.clear();
  protocol::encode_delete(out, "k", 10, true);
  CHECK(out == "delete k 10 noreply\r\n");
}

TEST_CASE("requests: touch", "[unit]") {
  std::string out;
  protocol::encode_touch(out, "k", 300, false);
  CHECK(out == "touch k 300\r\n");
  out.clear();
  protocol::encode_touch(out, "k", 0, true);
  CHECK(out == "touch k 0 noreply\r\n");
  out.clear();
  protocol::encode_touch(out, "k", -1, false);
  CHECK(out == "touch k -1\r\n");
}

TEST_CASE("requests: bare command lines", "[unit]") {
  std::string out;
  protocol::encode_line(out, "stats");
  CHECK(out == "stats\r\n");
  out.clear();
  protocol::encode_line(out, "stats items");
  CHECK(out == "stats items\r\n");
  out.clear();
  protocol::encode_line(out, "stats slabs");
  protocol::encode_line(out, "flush_all");
  protocol::encode_line(out, "version");
  CHECK(out == "stats slabs\r\nflush_all\r\nversion\r\n");
}
