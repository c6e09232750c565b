#ifndef MEMCACHE_SRC_ASYNC_REQUEST_HPP
#define MEMCACHE_SRC_ASYNC_REQUEST_HPP

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <memcache/detail/unique_function.hpp>

#include "protocol/operations.hpp"

namespace memcache::detail {

/// One request on its way through a pipelined connection.
struct AsyncRequest {
  /// Single-key gets may be written as one multi-key get (async/get_batch).
  enum class Batchable { no, get, gets };

  std::string bytes;  // the encoded request(s)
  /// Takes its replies; null for noreply (done once written). Not owned: it
  /// lives as long as `owner`.
  protocol::Operation* op = nullptr;
  /// Keeps `op` (and whatever else the request needs) alive until the
  /// request is done and dropped.
  std::shared_ptr<void> owner;
  UniqueFunction<void(std::error_code)> done;  // called once: replies read ({}), or the failure
  /// Single-key requests may be sent elsewhere if their server fails before
  /// they were written: the key they route by. Multi-key batches are not.
  std::optional<std::string_view> route_key;  // kept alive by `owner`
  Batchable batchable = Batchable::no;
  /// False for a request that belongs to its connection (the flush on
  /// reconnect): failed, not rerouted, when the connection closes.
  bool reroutable = true;  // a get of route_key, answered by VALUE/END
  /// stats / flush_all: sent on the server's admin connection (see Command::admin).
  bool admin = false;
  std::optional<std::uint64_t> hash;
  std::size_t server = 0;              // index of the server it was routed to
  std::vector<std::size_t> failed_on;  // servers that failed before writing it
  /// When it was first queued (kept when it is rerouted): an unwritten
  /// request fails once it has waited connect_timeout + socket_timeout.
  std::optional<std::chrono::steady_clock::time_point> queued;
  /// Where its bytes start and end in the connection's byte stream, and
  /// whether they were all written: its reply is owed within socket_timeout
  /// of that (`deadline`).
  std::uint64_t write_start = 0;
  std::uint64_t write_end = 0;
  bool sent = false;
  std::chrono::steady_clock::time_point deadline{};  // set once sent
  /// A batch of single-key gets (async/get_batch), which may be split.
  bool batch = false;
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_ASYNC_REQUEST_HPP
