#include "async/get_batch.hpp"

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/requests.hpp"

namespace memcache::detail {
namespace {

using Batchable = AsyncRequest::Batchable;

struct GetBatch final : protocol::Operation {
  std::vector<AsyncRequest> members;
  std::optional<protocol::RetrievalOperation> replies;
  bool on_reply(const protocol::Reply& reply) override { return replies->on_reply(reply); }
};

}  // namespace

std::optional<AsyncRequest> take_get_batch(std::deque<AsyncRequest>& backlog, std::size_t max_keys) {
  if (backlog.size() < 2) return std::nullopt;
  const Batchable kind = backlog.front().batchable;
  if (kind == Batchable::no) return std::nullopt;
  std::size_t run = 1;
  while (run < backlog.size() && run < max_keys && backlog[run].batchable == kind) ++run;
  if (run < 2) return std::nullopt;

  auto batch = std::make_shared<GetBatch>();
  batch->members.reserve(run);  // never grows again: the keys below point into it
  for (std::size_t i = 0; i < run; ++i) {
    batch->members.push_back(std::move(backlog.front()));
    backlog.pop_front();
  }
  AsyncRequest r;
  protocol::begin_retrieval(r.bytes, kind == Batchable::gets);
  std::vector<std::string_view> keys;
  keys.reserve(run);
  for (const AsyncRequest& m : batch->members) {
    keys.emplace_back(*m.route_key);
    protocol::append_key(r.bytes, keys.back());
  }
  protocol::finish_line(r.bytes);
  // A VALUE goes to the member whose key it names, through that member's own
  // operation (which checks the key again); END answers them all.
  GetBatch* b = batch.get();
  batch->replies.emplace(std::move(keys), 0,
                         [b](std::size_t i, const protocol::Reply& reply) { b->members[i].op->on_reply(reply); });
  r.done = [b](std::error_code ec) {
    for (AsyncRequest& m : b->members) m.done(ec);
  };
  r.op = batch.get();
  r.owner = std::move(batch);
  return r;
}

}  // namespace memcache::detail
