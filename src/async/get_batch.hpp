#ifndef MEMCACHE_SRC_ASYNC_GET_BATCH_HPP
#define MEMCACHE_SRC_ASYNC_GET_BATCH_HPP

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "async/request.hpp"

namespace memcache::detail {

/// Concurrent single-key gets queued for one server go out as one
/// `get k1 k2 ...`: memcached answers it with far less work than as many
/// separate gets, and the replies still come in request order. Takes the
/// longest run (at most `max_keys`) of batchable gets of one kind from the
/// front of `backlog` and returns it as one request whose VALUE replies reach
/// each member's own operation and whose END, or failure, completes them all.
/// Nothing when fewer than two are at the front.
std::optional<AsyncRequest> take_get_batch(std::deque<AsyncRequest>& backlog, std::size_t max_keys);

/// A batch answered with an error line in place of END (a proxy answers
/// SERVER_ERROR for a whole multi-key get when one of its backends is down)
/// says nothing of the keys it did not return: its members that got a value
/// are done, and the others are handed back, in order, each to be sent alone
/// so that each gets its own answer. Empty for any other request, or when the
/// batch ended with END (then `batch.done` completes every member).
std::vector<AsyncRequest> split_failed_batch(AsyncRequest& batch);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ASYNC_GET_BATCH_HPP
