// The meta protocol, sans-io: requests as memcached 1.6.18 reads them, replies
// parsed, and MetaCheck's opaque check (a reply for another request is a
// ProtocolError, never a value handed to the wrong caller).

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/dispatcher.hpp"
#include "protocol/meta_operations.hpp"
#include "protocol/meta_reply.hpp"
#include "protocol/meta_requests.hpp"
#include "protocol/operations.hpp"

using namespace std::string_literals;
using Catch::Matchers::Contains;
using namespace memcache::detail::protocol;

namespace {

struct Got {
  std::size_t index;
  std::string data;
  std::uint32_t flags;
  std::uint64_t cas;
};

// Feeds `bytes` to `d` one byte at a time, as a slow network would.
void feed_bytewise(Dispatcher& d, const std::string& bytes) {
  std::string buffer;
  for (char c : bytes) {
    buffer += c;
    buffer.erase(0, d.consume(buffer));
  }
  REQUIRE(buffer.empty());
}

}  // namespace

TEST_CASE("meta requests are encoded as memcached reads them", "[unit][meta]") {
  std::string out;
  encode_meta_get(out, "foo", MetaGet{}, 7);
  CHECK(out == "mg foo v f k O7\r\n");

  out.clear();
  MetaGet gets;
  gets.cas = true;
  gets.touch = 300;
  gets.quiet = true;
  encode_meta_get(out, "k", gets, 8);
  CHECK(out == "mg k v f k c T300 q O8\r\n");

  out.clear();
  MetaGet lease;
  lease.key = false;
  lease.ttl = true;
  lease.vivify = 30;
  lease.recache = 10;
  encode_meta_get(out, "k", lease, 9);
  CHECK(out == "mg k v f t N30 R10 O9\r\n");

  out.clear();
  MetaGet touch;
  touch.value = touch.client_flags = touch.key = false;
  touch.touch = 60;
  encode_meta_get(out, "k", touch, 10);
  CHECK(out == "mg k T60 O10\r\n");

  out.clear();
  MetaSet set;
  set.client_flags = 16;
  set.ttl = 100;
  encode_meta_set(out, "k", "value", set, 11);
  CHECK(out == "ms k 5 F16 T100 O11\r\nvalue\r\n");

  out.clear();
  MetaSet add;
  add.mode = MetaMode::add;
  add.cas = 42;
  add.invalidate = true;
  add.quiet = true;
  encode_meta_set(out, "k", "", add, 12);
  CHECK(out == "ms k 0 ME F0 T0 C42 I q O12\r\n\r\n");

  out.clear();
  MetaDelete del;
  encode_meta_delete(out, "k", del, 13);
  del.invalidate = true;
  del.ttl = 30;
  del.quiet = true;
  encode_meta_delete(out, "k", del, 14);
  CHECK(out == "md k O13\r\nmd k I T30 q O14\r\n");

  out.clear();
  MetaArith incr;
  incr.delta = 5;
  encode_meta_arith(out, "n", incr, 15);
  MetaArith decr;
  decr.incr = false;
  decr.vivify = 0;
  decr.initial = 7;
  encode_meta_arith(out, "n", decr, 16);
  CHECK(out == "ma n D5 v O15\r\nma n MD D1 v N0 J7 O16\r\n");

  out.clear();
  encode_meta_noop(out);
  CHECK(out == "mn\r\n");
}

TEST_CASE("opaque tokens are consecutive and wrap", "[unit][meta]") {
  const std::uint32_t a = next_opaque(3);
  const std::uint32_t b = next_opaque();
  CHECK(static_cast<std::uint32_t>(b - a) >= 3u);
}

TEST_CASE("meta replies are parsed beside text replies", "[unit][meta]") {
  Reply r;
  const std::string va = "VA 3 f5 c9 t30 kfoo s3 O12 X W\r\nbar\r\nEND\r\n";
  ParseResult p = parse_reply(va, r, 0);
  REQUIRE(p.consumed == va.size() - 5);
  CHECK(r.type == ReplyType::meta_value);
  CHECK(r.data == "bar");
  CHECK(r.key == "foo");
  CHECK(r.flags == 5);
  CHECK(r.has_cas);
  CHECK(r.cas == 9);
  CHECK(r.opaque == "12");
  const MetaFlags f = read_meta_flags(r.meta_flags);
  CHECK(f.ttl == 30);
  CHECK(f.size == 3u);
  CHECK(f.win);
  CHECK(f.stale);
  CHECK_FALSE(f.won_already);
  CHECK(f.opaque == "12");

  CHECK(parse_reply("VA 3 O1\r\nba", r, 0).consumed == 0);
  CHECK(parse_reply("VA 3 O1\r\nba", r, 0).needed == 14);

  const std::pair<std::string, ReplyType> lines[] = {
      {"HD O1\r\n", ReplyType::meta_hit},       {"EN O1\r\n", ReplyType::meta_miss},
      {"NF O1\r\n", ReplyType::meta_not_found}, {"NS O1\r\n", ReplyType::meta_not_stored},
      {"EX O1\r\n", ReplyType::meta_exists},    {"MN\r\n", ReplyType::meta_noop},
      {"HD\r\n", ReplyType::meta_hit},          {"END\r\n", ReplyType::end},
      {"EXISTS\r\n", ReplyType::exists},        {"OK\r\n", ReplyType::ok},
  };
  for (const auto& [line, type] : lines) {
    INFO(line);
    REQUIRE(parse_reply(line, r, 0).consumed == line.size());
    CHECK(r.type == type);
  }
  CHECK(parse_reply("VA 0 O38 Z\r\n\r\n", r, 0).consumed == 14);
  CHECK(r.data.empty());
  CHECK(read_meta_flags(r.meta_flags).won_already);

  CHECK_THROWS_AS(parse_reply("VA x O1\r\n", r, 0), ProtocolError);
  CHECK_THROWS_AS(parse_reply("VA 3 O1\r\nbarXY", r, 0), ProtocolError);
  // Over the read bound: an oversized_value with its token, its bytes to skip.
  p = parse_reply("VA 3000 kbig O1\r\n", r, 100);
  CHECK(p.consumed == 17);
  CHECK(p.skip == 3002);
  CHECK(r.type == ReplyType::oversized_value);
  CHECK(r.number == 3000);
  CHECK(r.opaque == "1");
  CHECK(r.key == "big");
  CHECK_THROWS_AS(parse_reply("VA 9999999999999 O1\r\n", r, 100), ProtocolError);
  CHECK_THROWS_AS(parse_reply("VA 3 fx O1\r\nbar\r\n", r, 0), ProtocolError);
  CHECK_THROWS_AS(parse_reply("HX O1\r\n", r, 0), ProtocolError);
}

TEST_CASE("MetaCheck hands a single mg's reply to the get's operation", "[unit][meta]") {
  std::vector<Got> got;
  RetrievalOperation get("foo", [&](std::size_t i, const Reply& r) {
    got.push_back({i, std::string(r.data), r.flags, r.cas});
  });
  Dispatcher d(0);

  SECTION("a hit") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    feed_bytewise(d, "VA 3 f16 kfoo c5 O41\r\nbar\r\n");
    CHECK(d.idle());
    REQUIRE(got.size() == 1);
    CHECK(got[0].data == "bar");
    CHECK(got[0].flags == 16);
    CHECK(got[0].cas == 5);
  }
  SECTION("a value too long to read reaches the get as oversized, its bytes skipped") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    Dispatcher small(2);
    small.expect(check);
    const std::string reply = "VA 5 f0 kfoo O41\r\nhello\r\n";
    CHECK(small.consume(reply) == reply.size());
    CHECK(small.idle());
    REQUIRE(got.size() == 1);
    CHECK(got[0].data.empty());
  }
  SECTION("a miss") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK(d.consume("EN O41\r\n") == 8);
    CHECK(d.idle());
    CHECK(got.empty());
  }
  SECTION("another request's reply is refused before its value is handed on") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK_THROWS_WITH(d.consume("VA 3 f0 kfoo O40\r\nbar\r\n"), Contains("out of step"));
    CHECK(got.empty());
  }
  SECTION("a reply without its token is refused") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK_THROWS_WITH(d.consume("VA 3 f0 kfoo\r\nbar\r\n"), Contains("without the request's opaque"));
    CHECK(got.empty());
  }
  SECTION("a token that is not a number is refused") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK_THROWS_AS(d.consume("EN Oxyz\r\n"), ProtocolError);
  }
  SECTION("the right token with another key is refused") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK_THROWS_AS(d.consume("VA 3 f0 kbar O41\r\nbar\r\n"), ProtocolError);
    CHECK(got.empty());
  }
  SECTION("a text reply is refused") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK_THROWS_WITH(d.consume("END\r\n"), Contains("text protocol reply"));
  }
  SECTION("a reply a get cannot take") {
    MetaCheck check(get, ReplyType::value, 41, 1);
    d.expect(check);
    CHECK_THROWS_AS(d.consume("NS O41\r\n"), ProtocolError);
    CHECK_THROWS_AS(Dispatcher(0).consume("MN\r\n"), ProtocolError);
  }
}

TEST_CASE("MetaCheck takes a quiet mg batch ended by mn", "[unit][meta]") {
  const std::vector<std::string_view> keys = {"a", "b", "c", "d"};
  std::vector<Got> got;
  RetrievalOperation get(keys.data(), keys.size(), 10, [&](std::size_t i, const Reply& r) {
    got.push_back({i, std::string(r.data), r.flags, r.cas});
  });
  Dispatcher d(0);
  // Tokens wrap past 2^32 within the batch.
  const std::uint32_t first = 0xFFFFFFFEu;
  MetaCheck check(get, ReplyType::value, first, keys.size(), true);
  d.expect(check);

  SECTION("hits in order, misses silent") {
    feed_bytewise(d, "VA 1 f0 kb O4294967295\r\nB\r\nVA 1 f2 kd O1\r\nD\r\nMN\r\n");
    CHECK(d.idle());
    REQUIRE(got.size() == 2);
    CHECK(got[0].index == 11);
    CHECK(got[0].data == "B");
    CHECK(got[1].index == 13);
    CHECK(got[1].flags == 2);
  }
  SECTION("a reply out of order is refused") {
    CHECK_THROWS_WITH(d.consume("VA 1 f0 kd O1\r\nD\r\nVA 1 f0 kb O4294967295\r\nB\r\nMN\r\n"),
                      Contains("out of step"));
  }
  SECTION("a text reply in a batch is refused") {
    CHECK_THROWS_WITH(d.consume("VALUE a 0 1\r\nA\r\nEND\r\n"), Contains("text protocol reply"));
    CHECK(got.empty());
  }
  SECTION("a token from outside the batch is refused") {
    CHECK_THROWS_WITH(d.consume("VA 1 f0 ka O2\r\nA\r\n"), Contains("out of step"));
    CHECK(got.empty());
  }
}

TEST_CASE("MetaCheck turns ms, md, ma and touch replies into the text ones", "[unit][meta]") {
  Dispatcher d(0);
  auto one = [&](LineOperation op, ReplyType hit, const std::string& reply) {
    MetaCheck check(op, hit, 5, 1);
    d.expect(check);
    REQUIRE(d.consume(reply) == reply.size());
    REQUIRE(d.idle());
    return op;
  };
  CHECK(one(LineOperation::storage(), ReplyType::stored, "HD O5\r\n").type() == ReplyType::stored);
  CHECK(one(LineOperation::storage(), ReplyType::stored, "NS O5\r\n").type() == ReplyType::not_stored);
  CHECK(one(LineOperation::storage(), ReplyType::stored, "EX O5\r\n").type() == ReplyType::exists);
  CHECK(one(LineOperation::storage(), ReplyType::stored, "NF O5\r\n").type() == ReplyType::not_found);
  CHECK(one(LineOperation::deletion(), ReplyType::deleted, "HD O5\r\n").type() == ReplyType::deleted);
  CHECK(one(LineOperation::deletion(), ReplyType::deleted, "NF O5\r\n").type() == ReplyType::not_found);
  CHECK(one(LineOperation::touch(), ReplyType::touched, "HD O5\r\n").type() == ReplyType::touched);
  CHECK(one(LineOperation::touch(), ReplyType::touched, "EN O5\r\n").type() == ReplyType::not_found);
  const LineOperation n = one(LineOperation::arith(), ReplyType::number, "VA 2 O5\r\n15\r\n");
  CHECK(n.type() == ReplyType::number);
  CHECK(n.number() == 15);
  const LineOperation e = one(LineOperation::arith(), ReplyType::number,
                              "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
  CHECK(e.type() == ReplyType::client_error);
  CHECK_FALSE(d.in_step());

  Dispatcher bad(0);
  LineOperation del = LineOperation::deletion();
  MetaCheck check(del, ReplyType::deleted, 5, 1);
  bad.expect(check);
  CHECK_THROWS_AS(bad.consume("NS O5\r\n"), ProtocolError);  // not a reply to md
  LineOperation arith = LineOperation::arith();
  MetaCheck garbage(arith, ReplyType::number, 6, 1);
  Dispatcher bad2(0);
  bad2.expect(garbage);
  CHECK_THROWS_AS(bad2.consume("VA 2 O6\r\nxy\r\n"), ProtocolError);
}

TEST_CASE("MetaCheck checks every reply of a sequence in order", "[unit][meta]") {
  LineSequence seq;
  for (int i = 0; i < 3; ++i) seq.add(LineOperation::storage());
  Dispatcher d(0);
  MetaCheck check(seq, ReplyType::stored, 100, 3);
  d.expect(check);

  SECTION("in order") {
    feed_bytewise(d, "HD O100\r\nNS O101\r\nSERVER_ERROR out of memory storing object\r\n");
    CHECK(d.idle());
    CHECK(seq[0].type() == ReplyType::stored);
    CHECK(seq[1].type() == ReplyType::not_stored);
    CHECK(seq[2].type() == ReplyType::server_error);
  }
  SECTION("a skipped reply is refused") {
    CHECK_THROWS_WITH(d.consume("HD O100\r\nHD O102\r\n"), Contains("102 where 101 was due"));
  }
}

TEST_CASE("MetaReplyOperation keeps the whole reply", "[unit][meta]") {
  Dispatcher d(0);
  MetaReplyOperation op(77);
  d.expect(op);
  feed_bytewise(d, "VA 4 c9 t30 O77 Z X\r\nbarz\r\n");
  REQUIRE(op.answered());
  CHECK(op.type() == ReplyType::meta_value);
  CHECK(op.data() == "barz");
  CHECK(op.flags().cas == 9u);
  CHECK(op.flags().won_already);
  CHECK(op.flags().stale);

  MetaReplyOperation wrong(78);
  d.expect(wrong);
  CHECK_THROWS_AS(d.consume("HD O79\r\n"), ProtocolError);
  CHECK_FALSE(wrong.answered());
}
