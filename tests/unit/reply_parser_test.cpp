// parse_reply: one memcached reply at a time, sans I/O.

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "protocol/reply_parser.hpp"

using namespace std::string_view_literals;
using Catch::Matchers::Contains;
using memcache::detail::protocol::parse_reply;
using memcache::detail::protocol::ParseResult;
using memcache::detail::protocol::ProtocolError;
using memcache::detail::protocol::Reply;
using memcache::detail::protocol::ReplyType;

namespace {

constexpr std::size_t no_limit = 0;

// Parses `input`, which must hold exactly one whole reply.
Reply parse_whole(std::string_view input, std::size_t max_value = no_limit) {
  Reply r;
  ParseResult p = parse_reply(input, r, max_value);
  REQUIRE(p.consumed == input.size());
  REQUIRE(p.needed == 0);
  return r;
}

// A VALUE reply without cas: every field as given, the others empty.
void check_value(const Reply& r, std::string_view key, std::uint32_t flags, std::string_view data) {
  CHECK(r.type == ReplyType::value);
  CHECK(r.key == key);
  CHECK(r.flags == flags);
  CHECK_FALSE(r.has_cas);
  CHECK(r.cas == 0);
  CHECK(r.data == data);
}
}  // namespace

TEST_CASE("parse_reply: one-word replies", "[unit]") {
  struct Case {
    std::string_view wire;
    ReplyType type;
  };
  const Case cases[] = {
      {"END\r\n", ReplyType::end},
      {"STORED\r\n", ReplyType::stored},
      {"NOT_STORED\r\n", ReplyType::not_stored},
      {"EXISTS\r\n", ReplyType::exists},
      {"NOT_FOUND\r\n", ReplyType::not_found},
      {"DELETED\r\n", ReplyType::deleted},
      {"TOUCHED\r\n", ReplyType::touched},
      {"OK\r\n", ReplyType::ok},
      {"ERROR\r\n", ReplyType::error},
  };
  for (const Case& c : cases) {
    INFO(c.wire);
    Reply r = parse_whole(c.wire);
    CHECK(r.type == c.type);
    CHECK(r.data.empty());
    CHECK(r.key.empty());
  }
}

TEST_CASE("parse_reply: only the first reply of the input is consumed", "[unit]") {
  Reply r;
  ParseResult p = parse_reply("STORED\r\nEND\r\n", r, no_limit);
  CHECK(p.consumed == 8);
  CHECK(p.needed == 0);
  CHECK(r.type == ReplyType::stored);
}

TEST_CASE("parse_reply: VALUE without and with cas", "[unit]") {
  SECTION("no cas") { check_value(parse_whole("VALUE user_001 0 5\r\nalice\r\n"), "user_001", 0, "alice"); }
  SECTION("cas, flags and the largest numbers") {
    Reply r = parse_whole("VALUE k 4294967295 3 18446744073709551615\r\nabc\r\n");
    CHECK(r.key == "k");
    CHECK(r.flags == 4294967295u);
    CHECK(r.has_cas);
    CHECK(r.cas == 18446744073709551615ull);
    CHECK(r.data == "abc");
  }
  SECTION("binary data holding \\r\\n, NUL and reply-like text") {
    const std::string data("a\r\nb\0c\r\nEND\r\n", 13);
    const std::string wire = "VALUE bin 8 13 77\r\n" + data + "\r\n";
    Reply r = parse_whole(wire);
    CHECK(r.flags == 8);
    CHECK(r.cas == 77);
    CHECK(r.data == data);
    CHECK(r.data.size() == 13);
  }
  SECTION("a 0-byte value") {
    Reply r = parse_whole("VALUE empty 16 0\r\n\r\n");
    CHECK(r.key == "empty");
    CHECK(r.flags == 16);
    CHECK(r.data.empty());
  }
  SECTION("the views point into the input") {
    const std::string wire = "VALUE kk 1 2\r\nxy\r\n";
    Reply r = parse_whole(wire);
    CHECK(r.key.data() == wire.data() + 6);
    CHECK(r.data.data() == wire.data() + 14);
  }
}

TEST_CASE("parse_reply: VALUE lines read in one pass and by tokens agree", "[unit]") {
  // The usual line is read in one pass; these are not, and must read as
  // they always did (numbers wider than a plain width, a trailing space).
  SECTION("leading zeros past the width of the number") {
    Reply r = parse_whole("VALUE k 00000000007 3 000000000000000000000042\r\nabc\r\n");
    CHECK(r.flags == 7);
    CHECK(r.has_cas);
    CHECK(r.cas == 42);
    CHECK(r.data == "abc");
  }
  SECTION("the widest numbers each way read") {
    Reply r = parse_whole("VALUE k 999999999 3 9999999999999999999\r\nabc\r\n");  // 9 and 19 digits
    CHECK(r.flags == 999999999u);
    CHECK(r.cas == 9999999999999999999ull);
    Reply wider = parse_whole("VALUE k 1000000000 3 10000000000000000000\r\nabc\r\n");  // 10 and 20
    CHECK(wider.flags == 1000000000u);
    CHECK(wider.cas == 10000000000000000000ull);
  }
  SECTION("a space after the length: no cas, as before") {
    Reply r = parse_whole("VALUE k 1 3 \r\nabc\r\n");
    CHECK(r.flags == 1);
    CHECK_FALSE(r.has_cas);
    CHECK(r.data == "abc");
  }
  SECTION("a Reply reused after other replies keeps nothing of them") {
    Reply r;
    parse_reply("STAT pid 12\r\n", r, no_limit);
    parse_reply("VALUE k 5 1 9\r\nx\r\n", r, no_limit);
    parse_reply("VALUE j 0 2\r\nyz\r\n", r, no_limit);
    check_value(r, "j", 0, "yz");
    CHECK(r.name.empty());
    CHECK(r.number == 0);
    CHECK(r.opaque.empty());
    CHECK(r.meta_flags.empty());
  }
}

TEST_CASE("parse_reply: a VALUE waits for all its bytes and says how many it needs", "[unit]") {
  const std::string wire = "VALUE alpha 0 5 101\r\nhello\r\n";  // 21 header + 5 + 2
  REQUIRE(wire.size() == 28);
  for (std::size_t n = 0; n < wire.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    Reply r;
    ParseResult p = parse_reply(std::string_view(wire).substr(0, n), r, no_limit);
    CHECK(p.consumed == 0);
    // The total is known once the header line is complete.
    CHECK(p.needed == (n >= 21 ? 28u : 0u));
  }
  Reply r;
  CHECK(parse_reply(wire, r, no_limit).consumed == 28);
}

TEST_CASE("parse_reply: incomplete lines need more input", "[unit]") {
  for (std::string_view partial : {""sv, "E"sv, "END"sv, "END\r"sv, "STAT pid 1"sv, "VALUE k 0 100"sv, "123"sv}) {
    INFO(partial);
    Reply r;
    ParseResult p = parse_reply(partial, r, no_limit);
    CHECK(p.consumed == 0);
    CHECK(p.needed == 0);
  }
}

TEST_CASE("parse_reply: incr/decr numbers", "[unit]") {
  CHECK(parse_whole("0\r\n").number == 0);
  Reply r = parse_whole("42\r\n");
  CHECK(r.type == ReplyType::number);
  CHECK(r.number == 42);
  CHECK(parse_whole("18446744073709551615\r\n").number == 18446744073709551615ull);
  // Older servers padded the new value with spaces.
  Reply padded = parse_whole("99  \r\n");
  CHECK(padded.type == ReplyType::number);
  CHECK(padded.number == 99);
  CHECK_THROWS_AS(parse_whole("18446744073709551616\r\n"), ProtocolError);
  CHECK_THROWS_WITH(parse_whole("18446744073709551616\r\n"), Contains("out of range"));
  CHECK_THROWS_AS(parse_whole("-1\r\n"), ProtocolError);
  CHECK_THROWS_AS(parse_whole(" 1\r\n"), ProtocolError);
  CHECK_THROWS_AS(parse_whole("12a\r\n"), ProtocolError);
}

TEST_CASE("parse_reply: STAT lines", "[unit]") {
  Reply r = parse_whole("STAT pid 1234\r\n");
  CHECK(r.type == ReplyType::stat);
  CHECK(r.name == "pid");
  CHECK(r.data == "1234");
  Reply spaced = parse_whole("STAT items:1:note a b c\r\n");
  CHECK(spaced.name == "items:1:note");
  CHECK(spaced.data == "a b c");
  Reply bare = parse_whole("STAT name\r\n");
  CHECK(bare.name == "name");
  CHECK(bare.data.empty());
  CHECK_THROWS_AS(parse_whole("STAT \r\n"), ProtocolError);
  CHECK_THROWS_WITH(parse_whole("STAT  x\r\n"), Contains("STAT line without a name"));
}

TEST_CASE("parse_reply: VERSION and error replies carry their text", "[unit]") {
  Reply v = parse_whole("VERSION 1.6.21\r\n");
  CHECK(v.type == ReplyType::version);
  CHECK(v.data == "1.6.21");

  Reply c = parse_whole("CLIENT_ERROR bad data chunk\r\n");
  CHECK(c.type == ReplyType::client_error);
  CHECK(c.data == "bad data chunk");
  Reply c0 = parse_whole("CLIENT_ERROR\r\n");
  CHECK(c0.type == ReplyType::client_error);
  CHECK(c0.data.empty());

  Reply s = parse_whole("SERVER_ERROR out of memory storing object\r\n");
  CHECK(s.type == ReplyType::server_error);
  CHECK(s.data == "out of memory storing object");
  Reply s0 = parse_whole("SERVER_ERROR\r\n");
  CHECK(s0.type == ReplyType::server_error);
  CHECK(s0.data.empty());

  Reply e = parse_whole("ERROR\r\n");
  CHECK(e.type == ReplyType::error);
  CHECK(e.data.empty());
}

TEST_CASE("parse_reply: a Reply is reset between parses", "[unit]") {
  Reply r;
  parse_reply("VALUE k 5 1 9\r\nx\r\n", r, no_limit);
  REQUIRE(r.has_cas);
  parse_reply("STORED\r\n", r, no_limit);
  CHECK(r.type == ReplyType::stored);
  CHECK(r.key.empty());
  CHECK(r.flags == 0);
  CHECK_FALSE(r.has_cas);
  CHECK(r.cas == 0);
  CHECK(r.data.empty());
}

TEST_CASE("parse_reply: garbage is a ProtocolError that quotes it", "[unit]") {
  Reply r;
  auto parse = [&](std::string_view in, std::size_t max_value = no_limit) { return parse_reply(in, r, max_value); };

  SECTION("unknown replies") {
    CHECK_THROWS_AS(parse("HELLO\r\n"), ProtocolError);
    CHECK_THROWS_WITH(parse("HELLO\r\n"), Contains("an unknown reply") && Contains("HELLO"));
    CHECK_THROWS_AS(parse("\r\n"), ProtocolError);
    CHECK_THROWS_AS(parse("end\r\n"), ProtocolError);
    CHECK_THROWS_AS(parse("END \r\n"), ProtocolError);
    CHECK_THROWS_AS(parse("VERSION\r\n"), ProtocolError);
  }
  SECTION("control bytes are escaped in the message") {
    CHECK_THROWS_WITH(parse(std::string_view("BAD\x01\xff\r\n", 7)), Contains("BAD\\x01\\xff"));
  }
  SECTION("a line ended by \\n alone") {
    CHECK_THROWS_AS(parse("END\n"), ProtocolError);
    CHECK_THROWS_WITH(parse("END\n"), Contains("not ended by \\r\\n") && Contains("END"));
    CHECK_THROWS_AS(parse("\n"), ProtocolError);
    CHECK_THROWS_AS(parse("STORED\nEND\r\n"), ProtocolError);
  }
  SECTION("malformed VALUE lines") {
    for (std::string_view bad : {"VALUE k x 3\r\nabc\r\n"sv,           // flags not a number
                                 "VALUE k 0\r\n"sv,                    // no length
                                 "VALUE k\r\n"sv,                      // no flags
                                 "VALUE  0 3\r\nabc\r\n"sv,            // empty key
                                 "VALUE k 0 3 1 extra\r\nabc\r\n"sv,   // too many fields
                                 "VALUE k -1 3\r\nabc\r\n"sv,          // negative flags
                                 "VALUE k 0 -3\r\n"sv,                 // negative length
                                 "VALUE k 4294967296 3\r\nabc\r\n"sv,  // flags over 32 bits
                                 "VALUE k 0 3x\r\nabc\r\n"sv}) {
      INFO(bad);
      CHECK_THROWS_AS(parse(bad), ProtocolError);
      CHECK_THROWS_WITH(parse(bad), Contains("malformed VALUE line"));
    }
  }
  SECTION("bad cas unique") {
    for (std::string_view bad : {"VALUE k 0 3 abc\r\nabc\r\n"sv, "VALUE k 0 3 -1\r\nabc\r\n"sv,
                                 "VALUE k 0 3 18446744073709551616\r\nabc\r\n"sv}) {
      INFO(bad);
      CHECK_THROWS_WITH(parse(bad), Contains("malformed cas unique"));
    }
  }
  SECTION("value bytes not followed by \\r\\n") {
    CHECK_THROWS_WITH(parse("VALUE k 0 3\r\nabcXY"), Contains("not followed by"));
    CHECK_THROWS_AS(parse("VALUE k 0 3\r\nabcd\r\n"), ProtocolError);  // longer than announced
    CHECK_THROWS_AS(parse("VALUE k 0 3\r\nabc\n\r"), ProtocolError);
    CHECK_THROWS_AS(parse("VALUE k 0 3\r\nab\r\nEND\r\n"), ProtocolError);  // shorter than announced
  }
}

TEST_CASE("parse_reply: max_line bounds a line before its end arrives", "[unit]") {
  constexpr std::size_t max_line = 16;
  Reply r;
  const std::string line16(max_line, '7');  // a number reply of exactly max_line bytes
  SECTION("a line of max_line bytes is accepted") {
    ParseResult p = parse_reply(line16 + "\r\n", r, no_limit, max_line);
    CHECK(p.consumed == max_line + 2);
    CHECK(r.type == ReplyType::number);
    CHECK(r.number == 7777777777777777ull);
  }
  SECTION("one byte more is rejected") {
    CHECK_THROWS_AS(parse_reply(line16 + "7\r\n", r, no_limit, max_line), ProtocolError);
    CHECK_THROWS_WITH(parse_reply(line16 + "7\r\n", r, no_limit, max_line), Contains("does not end"));
  }
  SECTION("an unended line is rejected as soon as it is too long") {
    // max_line + 1 bytes could still be a full line and its \r: wait.
    ParseResult p = parse_reply(line16 + "\r", r, no_limit, max_line);
    CHECK(p.consumed == 0);
    CHECK(p.needed == 0);
    // max_line + 2 bytes and no \n: the line is too long whatever comes next.
    CHECK_THROWS_AS(parse_reply(line16 + "77", r, no_limit, max_line), ProtocolError);
    CHECK_THROWS_AS(parse_reply(std::string(100000, 'x'), r, no_limit), ProtocolError);
  }
  SECTION("max_line does not limit value data") {
    const std::string data(1000, '\n');
    const std::string wire = "VALUE k 0 1000\r\n" + data + "\r\n";
    ParseResult p = parse_reply(wire, r, no_limit, max_line);
    CHECK(p.consumed == 16 + 1000 + 2);
    CHECK(r.data == data);
  }
}

TEST_CASE("parse_reply: a value over max_value is to be skipped once its header is complete", "[unit]") {
  Reply r;
  // Only the header: none of the 1025 bytes have arrived, and none are asked
  // to be buffered: the caller discards them as they come.
  ParseResult over = parse_reply("VALUE big 5 1025\r\n", r, 1024);
  CHECK(over.consumed == 18);
  CHECK(over.needed == 0);
  CHECK(over.skip == 1025 + 2);
  CHECK(r.type == ReplyType::oversized_value);
  CHECK(r.key == "big");
  CHECK(r.number == 1025);
  ParseResult with_cas = parse_reply("VALUE big 0 1025 99\r\nabc", r, 1024);
  CHECK(with_cas.consumed == 21);
  CHECK(with_cas.skip == 1027);
  // Exactly max_value is fine: it waits for the bytes.
  ParseResult at_limit = parse_reply("VALUE big 0 1024\r\n", r, 1024);
  CHECK(at_limit.consumed == 0);
  CHECK(at_limit.needed == 18 + 1024 + 2);
  CHECK(at_limit.skip == 0);
  // Before the header is complete nothing is known yet.
  ParseResult partial = parse_reply("VALUE big 0 1025", r, 1024);
  CHECK(partial.consumed == 0);
  CHECK(partial.needed == 0);
  // 0 means no limit.
  ParseResult unlimited = parse_reply("VALUE big 0 100000000\r\n", r, 0);
  CHECK(unlimited.consumed == 0);
  CHECK(unlimited.needed == 23 + 100000000 + 2);
}

TEST_CASE("parse_reply: a value over memcached's 1 GiB limit is a lie", "[unit]") {
  Reply r;
  CHECK_THROWS_AS(parse_reply("VALUE big 0 1073741825\r\n", r, 1024), ProtocolError);
  CHECK_THROWS_WITH(parse_reply("VALUE big 0 1073741825\r\n", r, 1024), Contains("1073741825"));
  ParseResult at_limit = parse_reply("VALUE big 0 1073741824\r\n", r, 1024);
  CHECK(at_limit.skip == 1073741824u + 2);
}

TEST_CASE("parse_reply: memcached's refusal of a connection", "[unit]") {
  Reply r;
  CHECK_THROWS_AS(parse_reply("ERROR Too many open connections\r\n", r, 0),
                  memcache::detail::protocol::TooManyConnections);
  // A bare ERROR stays a reply.
  CHECK(parse_reply("ERROR\r\n", r, 0).consumed == 7);
  CHECK(r.type == ReplyType::error);
}

TEST_CASE("parse_reply: an impossible value length is garbage even without max_value", "[unit]") {
  // With max_value 0 (no limit) the length 2^64-1 makes `header + length + 2`
  // wrap around to 33: the parser then asks for 33 bytes instead of
  // rejecting the reply (reply_parser.cpp, parse_value). Other lengths wrap
  // `total` below the header and index the input out of bounds.
  Reply r;
  CHECK_THROWS_AS(parse_reply("VALUE k 0 18446744073709551615\r\n", r, 0), ProtocolError);
}
