// libFuzzer target: the reply parser and the Dispatcher, fed arbitrary bytes
// for a queue of operations, whole and split at arbitrary points.
//
// Input: a header that chooses the operations, the value limit and the split
// points, then the bytes "from the server":
//   [op count] then per op [kind] (+ for get/gets: [key count] [key ids...],
//   for a line op: [which]) then [max_value] [split count] [gaps...] [reply bytes]
// (tests/fuzz/make_corpus.py writes seeds in this form.)
//
// It must never crash, leak or read out of bounds; never hand a VALUE to a
// key that was not asked for, nor one over max_value (such a value is skipped
// and reported as oversized_value); and the outcome must not depend on how the
// bytes were split (what a socket delivers is arbitrary).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "protocol/dispatcher.hpp"
#include "protocol/operations.hpp"
#include "protocol/reply_parser.hpp"

namespace {

using namespace memcache::detail::protocol;

// Keys the seeds' replies use.
constexpr std::string_view key_pool[] = {"k", "key", "foo", "a", "b", "other", "k2", "hello"};
constexpr std::size_t pool_size = sizeof key_pool / sizeof key_pool[0];

struct Reader {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t pos = 0;
  bool ok = true;
  std::uint8_t byte() {
    if (pos >= size) {
      ok = false;
      return 0;
    }
    return data[pos++];
  }
};

enum class Kind { get, line, stats, sync };

struct Plan {
  Kind kind;
  std::vector<std::string> keys;  // get
  int line = 0;                   // line: which LineOperation
};

// The operations of one run, and what they saw, as text.
struct Run {
  struct GetSink {
    std::size_t op;
    const std::vector<std::string>* asked;
    std::size_t base;
  };
  std::deque<GetSink> get_sinks;
  std::vector<std::unique_ptr<Operation>> ops;
  std::vector<std::string> events;
  std::size_t max_value = 0;

  explicit Run(const std::vector<Plan>& plans, std::size_t max_value_) : max_value(max_value_) {
    std::size_t first = 0;
    for (std::size_t i = 0; i < plans.size(); ++i) {
      const Plan& p = plans[i];
      switch (p.kind) {
        case Kind::get: {
          std::vector<std::string_view> keys(p.keys.begin(), p.keys.end());
          const std::vector<std::string>* asked = &p.keys;
          const std::size_t base = first;
          // A sink holds two pointers at most: what it checks lives here.
          const GetSink* sink = &get_sinks.emplace_back(GetSink{i, asked, base});
          ops.push_back(
              std::make_unique<RetrievalOperation>(keys, first, [this, sink](std::size_t index, const Reply& r) {
                const auto [op, asked_keys, first_index] = *sink;
                // The one promise: a value only ever reaches the key it names.
                FUZZ_CHECK(index >= first_index && index - first_index < asked_keys->size());
                FUZZ_CHECK((*asked_keys)[index - first_index] == r.key);
                // A value over max_value arrives as oversized_value: its
                // length only, its bytes skipped.
                const bool oversized = r.type == ReplyType::oversized_value;
                FUZZ_CHECK(r.type == ReplyType::value || oversized);
                FUZZ_CHECK(!oversized || (max_value != 0 && r.number > max_value && r.data.empty()));
                FUZZ_CHECK(max_value == 0 || r.data.size() <= max_value);
                events.push_back("op" + std::to_string(op) + (oversized ? " OVERSIZED #" : " VALUE #") +
                                 std::to_string(index) + " " + std::string(r.key) + " " + std::to_string(r.flags) +
                                 " " + (r.has_cas ? std::to_string(r.cas) : "-") + " [" + std::string(r.data) + "]");
              }));
          first += keys.size();
          break;
        }
        case Kind::line: {
          switch (p.line) {
            case 0:
              ops.push_back(std::make_unique<LineOperation>(LineOperation::storage()));
              break;
            case 1:
              ops.push_back(std::make_unique<LineOperation>(LineOperation::arith()));
              break;
            case 2:
              ops.push_back(std::make_unique<LineOperation>(LineOperation::deletion()));
              break;
            case 3:
              ops.push_back(std::make_unique<LineOperation>(LineOperation::touch()));
              break;
            case 4:
              ops.push_back(std::make_unique<LineOperation>(LineOperation::flush()));
              break;
            default:
              ops.push_back(std::make_unique<LineOperation>(LineOperation::version()));
              break;
          }
          break;
        }
        case Kind::stats:
          ops.push_back(std::make_unique<StatsOperation>([this, i](std::string_view name, std::string_view value) {
            FUZZ_CHECK(!name.empty());
            events.push_back("op" + std::to_string(i) + " STAT " + std::string(name) + "=" + std::string(value));
          }));
          break;
        case Kind::sync:
          ops.push_back(std::make_unique<SyncOperation>());
          break;
      }
    }
  }

  void expect_all(Dispatcher& d) {
    for (auto& op : ops) d.expect(*op);
  }

  // What the one-line operations ended with.
  void summarize() {
    for (std::size_t i = 0; i < ops.size(); ++i) {
      if (auto* line = dynamic_cast<LineOperation*>(ops[i].get())) {
        events.push_back("op" + std::to_string(i) + " line " + (line->answered() ? "answered " : "unanswered ") +
                         std::to_string(static_cast<int>(line->type())) + " " + std::to_string(line->number()) + " [" +
                         line->text() + "]");
      } else if (auto* sync = dynamic_cast<SyncOperation*>(ops[i].get())) {
        events.push_back("op" + std::to_string(i) + " sync " + std::to_string(sync->errors()) + " [" +
                         sync->last_error() + "]");
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader in{data, size};
  std::vector<Plan> plans;
  const int op_count = 1 + in.byte() % 8;
  for (int i = 0; i < op_count && in.ok; ++i) {
    const std::uint8_t kind = in.byte() % 4;
    Plan p{static_cast<Kind>(kind), {}, 0};
    if (p.kind == Kind::get) {
      const int key_count = 1 + in.byte() % 4;
      for (int j = 0; j < key_count; ++j) p.keys.emplace_back(key_pool[in.byte() % pool_size]);
    } else if (p.kind == Kind::line) {
      p.line = in.byte() % 6;
    }
    plans.push_back(std::move(p));
  }
  const std::uint8_t limit = in.byte();
  const std::size_t max_value = limit == 0 ? 0 : std::size_t{1} << (limit % 21);
  std::vector<std::size_t> gaps;
  for (int i = 0, n = in.byte() % 16; i < n; ++i) gaps.push_back(1 + in.byte());
  if (!in.ok) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + in.pos, size - in.pos);

  // Whole: every byte at once.
  Run whole(plans, max_value);
  Dispatcher dw(max_value);
  whole.expect_all(dw);
  bool whole_failed = false;
  std::size_t whole_consumed = 0;
  try {
    whole_consumed = dw.consume(stream);
    FUZZ_CHECK(whole_consumed <= stream.size());
  } catch (const ProtocolError&) {
    whole_failed = true;
  }
  whole.summarize();

  // Split: bytes arrive in pieces into a buffer, as from a socket.
  Run split(plans, max_value);
  Dispatcher ds(max_value);
  split.expect_all(ds);
  bool split_failed = false;
  std::string buffer;
  std::size_t fed = 0, total_consumed = 0;
  std::size_t gap = 0;
  try {
    while (fed < stream.size()) {
      const std::size_t n = gap < gaps.size() ? std::min(gaps[gap++], stream.size() - fed) : stream.size() - fed;
      buffer.append(stream.substr(fed, n));
      fed += n;
      const std::size_t consumed = ds.consume(buffer);
      FUZZ_CHECK(consumed <= buffer.size());
      buffer.erase(0, consumed);
      total_consumed += consumed;
      // A reply still incomplete says how much it needs: more than there is.
      if (!ds.idle() && ds.bytes_needed() != 0) FUZZ_CHECK(ds.bytes_needed() > buffer.size());
    }
  } catch (const ProtocolError&) {
    split_failed = true;
  }
  split.summarize();

  // How the bytes were split changes nothing.
  FUZZ_CHECK(whole_failed == split_failed);
  FUZZ_CHECK(whole.events == split.events);
  if (!whole_failed) {
    FUZZ_CHECK(whole_consumed == total_consumed);
    FUZZ_CHECK(dw.idle() == ds.idle());
  }
  return 0;
}
