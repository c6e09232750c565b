#include "host.hpp"

#include <fmt/format.h>

#include "net/exchange.hpp"
#include "net/io_error.hpp"
#include "protocol/requests.hpp"

namespace memcache::detail {
namespace {
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Host::Host(Address address, unsigned weight, const Options& options, asio::io_context& io, Log log)
    : address_(std::move(address)),
      weight_(weight),
      options_(options),
      io_(io),
      log_(std::move(log)),
      pool_(options.max_connections_per_server, [this] { return open(); }) {}

bool Host::is_dead() const {
  std::int64_t until = dead_until_ns_.load(std::memory_order_relaxed);
  return until != 0 && until > now_ns();
}

void Host::mark_dead(std::string_view reason) {
  log_(fmt::format("MemCache: {}: {}.  Marking dead.", address_.to_string(), reason));
  auto retry = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.dead_retry).count();
  dead_until_ns_.store(now_ns() + (retry > 0 ? retry : 1), std::memory_order_relaxed);
  if (options_.flush_on_reconnect) flush_on_next_connect_.store(true);
  pool_.clear();
}

std::unique_ptr<Connection> Host::open() {
  auto conn = std::make_unique<Connection>(io_, address_, options_.connect_timeout, options_.socket_timeout);
  if (flush_on_next_connect_.exchange(false)) {
    // python-memcached flushes a server that comes back, so values written
    // elsewhere while it was away cannot resurface as stale.
    Exchange x(*conn, 0);
    protocol::encode_line(x.request, "flush_all");
    auto op = protocol::LineOperation::flush();
    x.dispatcher.expect(op);
    Exchange* xs[] = {&x};
    run_exchanges(xs, 1, options_.socket_timeout);
    if (x.outcome != Exchange::Outcome::done || op.type() != protocol::ReplyType::ok) {
      flush_on_next_connect_.store(true);
      throw IoError(fmt::format("flush_all on reconnect failed: {}", x.error.empty() ? op.text() : x.error));
    }
  }
  return conn;
}

Pool::Lease Host::acquire() {
  return pool_.acquire(options_.socket_timeout);
}

}  // namespace memcache::detail
