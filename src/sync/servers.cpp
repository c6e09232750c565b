#include "sync/servers.hpp"

#include <fmt/format.h>

#include "commands/reconnect_flush.hpp"
#include "sync/exchange.hpp"
#include "transport/io_error.hpp"

namespace memcache::detail {

SyncServers::SyncServers(std::shared_ptr<Topology> topology, const Options& options, asio::io_context& io)
    : topology_(std::move(topology)), options_(options), io_(io) {
  pools_.reserve(topology_->servers.size());
  for (std::size_t i = 0; i < topology_->servers.size(); ++i) {
    pools_.push_back(std::make_unique<Pool>(options.max_connections_per_server, [this, i] { return open(i); }));
  }
}

void SyncServers::mark_dead(std::size_t i, std::string_view reason) const {
  state(i).mark_dead(reason);
  pools_[i]->clear();
}

void SyncServers::disconnect_all() const {
  for (const auto& pool : pools_) pool->clear();
}

std::unique_ptr<Connection> SyncServers::open(std::size_t i) const {
  ServerState& server = state(i);
  auto conn = std::make_unique<Connection>(io_, server.address(), options_.connect_timeout, options_.socket_timeout,
                                           server.tls());
  if (server.take_flush_due()) {
    ReconnectFlush flush;
    Exchange x(*conn, 0);
    flush.encode(x.request);
    x.dispatcher.expect(flush);
    Exchange* xs[] = {&x};
    run_exchanges(xs, 1, options_.socket_timeout);
    if (x.outcome != Exchange::Outcome::done || !flush.ok()) {
      server.flush_due_again();
      throw IoError(flush.failure(x.error));
    }
  }
  return conn;
}

}  // namespace memcache::detail
