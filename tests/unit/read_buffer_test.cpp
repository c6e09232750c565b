// ReadBuffer: bytes received but not yet parsed.

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "support/read_buffer.hpp"

using memcache::detail::ReadBuffer;

namespace {

void put(ReadBuffer& b, const std::string& s) {
  b.reserve_tail(s.size());
  REQUIRE(b.tail_room() >= s.size());
  std::memcpy(b.write_ptr(), s.data(), s.size());
  b.commit(s.size());
}

}  // namespace

TEST_CASE("ReadBuffer: starts empty and allocates only when asked", "[unit]") {
  ReadBuffer b;
  CHECK(b.empty());
  CHECK(b.data().empty());
  CHECK(b.tail_room() == 0);
  b.reserve_tail(0);
  CHECK(b.tail_room() == 0);
  b.reserve_tail(1);
  CHECK(b.tail_room() == ReadBuffer::initial_capacity);
  CHECK(b.empty());
}

TEST_CASE("ReadBuffer: commit, consume and reset", "[unit]") {
  ReadBuffer b;
  put(b, "hello world");
  CHECK_FALSE(b.empty());
  CHECK(b.data() == "hello world");
  CHECK(b.tail_room() == ReadBuffer::initial_capacity - 11);
  b.consume(6);
  CHECK(b.data() == "world");
  put(b, "!\r\n");
  CHECK(b.data() == "world!\r\n");
  b.consume(8);
  CHECK(b.empty());
  CHECK(b.data().empty());
  // Consuming everything rewinds to the start of the storage.
  CHECK(b.tail_room() == ReadBuffer::initial_capacity);
  put(b, "abc");
  b.clear();
  CHECK(b.empty());
  CHECK(b.tail_room() == ReadBuffer::initial_capacity);
}

TEST_CASE("ReadBuffer: reserve_tail keeps the unread bytes", "[unit]") {
  const std::size_t cap = ReadBuffer::initial_capacity;
  SECTION("enough room: nothing moves") {
    ReadBuffer b;
    put(b, "abc");
    char* before = b.write_ptr();
    b.reserve_tail(100);
    CHECK(b.write_ptr() == before);
    CHECK(b.data() == "abc");
  }
  SECTION("room at the front: the bytes move back, capacity stays") {
    ReadBuffer b;
    put(b, std::string(cap - 10, 'a') + "0123456789");
    CHECK(b.tail_room() == 0);
    b.consume(cap - 10);
    CHECK(b.data() == "0123456789");
    b.reserve_tail(100);
    CHECK(b.data() == "0123456789");
    CHECK(b.tail_room() == cap - 10);
  }
  SECTION("no room: capacity doubles until it fits") {
    ReadBuffer b;
    put(b, "0123456789");
    b.consume(2);
    b.reserve_tail(cap * 3);
    CHECK(b.data() == "23456789");
    CHECK(b.tail_room() == cap * 4 - 8);
    const std::string big(cap * 3, 'z');
    put(b, big);
    CHECK(b.data().size() == 8 + cap * 3);
    CHECK(b.data().substr(0, 8) == "23456789");
    CHECK(b.data().substr(8) == big);
  }
  SECTION("many small reads through a small window") {
    ReadBuffer b;
    std::string expected;
    for (int i = 0; i < 10000; ++i) {
      const std::string chunk = std::to_string(i) + ";";
      put(b, chunk);
      expected += chunk;
      if (i % 3 == 0) {
        const std::size_t n = b.data().size() / 2;
        CHECK(b.data().substr(0, n) == std::string_view(expected).substr(0, n));
        b.consume(n);
        expected.erase(0, n);
      }
    }
    CHECK(b.data() == expected);
    CHECK(b.tail_room() + b.data().size() <= cap);  // never grew
  }
}

TEST_CASE("ReadBuffer: release_if_over frees a grown, empty buffer only", "[unit]") {
  memcache::detail::ReadBuffer buf;
  buf.reserve_tail(3 * 1024 * 1024);
  std::memcpy(buf.write_ptr(), "abc", 3);
  buf.commit(3);
  buf.release_if_over(1024 * 1024);  // holds bytes: kept
  CHECK(buf.data() == "abc");
  buf.consume(3);
  buf.release_if_over(1024 * 1024);
  CHECK(buf.tail_room() == 0);
  buf.reserve_for(0);
  CHECK(buf.tail_room() == memcache::detail::ReadBuffer::initial_capacity);
  buf.release_if_over(1024 * 1024);  // small: kept
  CHECK(buf.tail_room() == memcache::detail::ReadBuffer::initial_capacity);
}
