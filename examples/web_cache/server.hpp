// A minimal Asio HTTP server: one thread, one request per connection.
#ifndef WEB_CACHE_SERVER_HPP
#define WEB_CACHE_SERVER_HPP

#include <functional>

#include <asio/ip/tcp.hpp>

#include "http.hpp"

namespace web_cache {

using Handler = std::function<Response(const Request&)>;

/// Starts accepting on `acceptor`; each request is answered by `handler`.
/// Runs inside the acceptor's io_context: nothing happens until it is run, and
/// it stops when the io_context is stopped. `handler` runs on that thread and
/// may block (the slow database does): other clients wait meanwhile, which
/// keeps the example simple.
void serve(asio::ip::tcp::acceptor& acceptor, Handler handler);

}  // namespace web_cache

#endif  // WEB_CACHE_SERVER_HPP
