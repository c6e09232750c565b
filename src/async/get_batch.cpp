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
  std::vector<bool> got_value;
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
  batch->got_value.assign(run, false);
  for (std::size_t i = 0; i < run; ++i) {
    batch->members.push_back(std::move(backlog.front()));
    backlog.pop_front();
  }
  std::vector<std::string_view> keys;
  keys.reserve(run);
  for (const AsyncRequest& m : batch->members) keys.emplace_back(*m.route_key);
  AsyncRequest r;
  protocol::encode_retrieval(r.bytes, kind == Batchable::gets, keys.data(), keys.size());
  // A VALUE goes to the member whose key it names, through that member's own
  // operation (which checks the key again); END answers them all.
  GetBatch* b = batch.get();
  batch->replies.emplace(std::move(keys), 0, [b](std::size_t i, const protocol::Reply& reply) {
    b->got_value[i] = true;
    b->members[i].op->on_reply(reply);
  });
  r.done = [b](std::error_code ec) {
    for (AsyncRequest& m : b->members) m.done(ec);
  };
  r.op = batch.get();
  r.owner = std::move(batch);
  r.batch = true;
  return r;
}

std::vector<AsyncRequest> split_failed_batch(AsyncRequest& batch) {
  std::vector<AsyncRequest> unanswered;
  if (!batch.batch) return unanswered;
  auto* b = static_cast<GetBatch*>(batch.op);
  if (!b->replies->error()) return unanswered;
  for (std::size_t i = 0; i < b->members.size(); ++i) {
    AsyncRequest& m = b->members[i];
    if (b->got_value[i]) {
      m.done({});
    } else {
      m.batchable = Batchable::no;
      unanswered.push_back(std::move(m));
    }
  }
  // Every member is done or handed back: the batch's own done has no one
  // left to complete.
  b->members.clear();
  return unanswered;
}

}  // namespace memcache::detail
