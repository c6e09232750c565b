// SyncOperation: the `version` sent ahead of a call's requests after noreply
// requests takes the error lines the server still owed those, so they never
// reach the call's own requests.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "protocol/dispatcher.hpp"
#include "protocol/operations.hpp"

using memcache::detail::protocol::Dispatcher;
using memcache::detail::protocol::LineOperation;
using memcache::detail::protocol::ProtocolError;
using memcache::detail::protocol::Reply;
using memcache::detail::protocol::ReplyType;
using memcache::detail::protocol::RetrievalOperation;
using memcache::detail::protocol::SyncOperation;

TEST_CASE("SyncOperation takes the errors owed by noreply requests, then VERSION", "[unit]") {
  Dispatcher d(0);
  auto incr = LineOperation::arith();
  SyncOperation sync;
  d.expect(incr);
  d.expect_first(sync);  // queued last, answered first
  const std::string replies = "ERROR\r\nSERVER_ERROR out of memory storing object\r\nVERSION 1.6.18\r\n42\r\n";
  // Byte by byte: the split changes nothing.
  std::string buffer;
  for (char c : replies) {
    buffer += c;
    buffer.erase(0, d.consume(buffer));
  }
  CHECK(buffer.empty());
  CHECK(d.idle());
  CHECK(sync.errors() == 2);
  CHECK(sync.last_error() == "out of memory storing object");
  CHECK(incr.type() == ReplyType::number);
  CHECK(incr.number() == 42);
  CHECK_FALSE(d.in_step());  // ERROR: memcached may have skipped input, close after this call
}

TEST_CASE("SyncOperation with nothing owed is just VERSION", "[unit]") {
  Dispatcher d(0);
  SyncOperation sync;
  std::string found;
  RetrievalOperation get({"k"}, 0, [&](std::size_t, const Reply& r) { found = std::string(r.data); });
  d.expect(get);
  d.expect_first(sync);
  const std::string replies = "VERSION 1.6.18\r\nVALUE k 0 1\r\nx\r\nEND\r\n";
  CHECK(d.consume(replies) == replies.size());
  CHECK(d.idle());
  CHECK(d.in_step());
  CHECK(sync.errors() == 0);
  CHECK(found == "x");
}

TEST_CASE("SyncOperation refuses any other reply: the stream is out of step", "[unit]") {
  for (std::string_view before : {"VALUE k 0 1\r\nx\r\nEND\r\n", "STORED\r\n", "END\r\n", "5\r\n", "STAT a b\r\n"}) {
    INFO(before);
    Dispatcher d(0);
    SyncOperation sync;
    auto set = LineOperation::storage();
    d.expect(set);
    d.expect_first(sync);
    CHECK_THROWS_AS(d.consume(std::string(before) + "VERSION 1\r\nSTORED\r\n"), ProtocolError);
    CHECK_FALSE(set.answered());
  }
}
