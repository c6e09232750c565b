#include "server.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

namespace web_cache {
namespace {

// A client that connects and says nothing must not hold a socket forever.
constexpr std::chrono::seconds read_timeout{5};
// GET requests have no body; a longer head is an attack or a mistake.
constexpr std::size_t max_head_size = 8192;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, std::shared_ptr<const Handler> handler)
      : socket_(std::move(socket)), deadline_(socket_.get_executor()), handler_(std::move(handler)) {}

  void start() {
    deadline_.expires_after(read_timeout);
    deadline_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (!ec) self->socket_.close();  // cancels the read below
    });
    asio::async_read_until(socket_, asio::dynamic_buffer(head_, max_head_size), "\r\n\r\n",
                           [self = shared_from_this()](std::error_code ec, std::size_t) { self->on_head(ec); });
  }

 private:
  void on_head(std::error_code ec) {
    deadline_.cancel();
    if (ec == asio::error::not_found) {  // the head outgrew max_head_size
      reply(error_response(400));
    } else if (!ec) {
      auto request = parse_request(head_);
      reply(request ? answer(*request) : error_response(400));
    }
    // Any other error: the client left or timed out; nobody to answer.
  }

  Response answer(const Request& request) const {
    try {
      return (*handler_)(request);
    } catch (const std::exception&) {
      return error_response(500);
    }
  }

  void reply(const Response& response) {
    wire_ = to_wire(response);
    asio::async_write(socket_, asio::buffer(wire_), [self = shared_from_this()](std::error_code, std::size_t) {
      std::error_code ignored;
      self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    });
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer deadline_;
  std::shared_ptr<const Handler> handler_;
  std::string head_;
  std::string wire_;  // must outlive async_write
};

void accept_next(asio::ip::tcp::acceptor& acceptor, std::shared_ptr<const Handler> handler) {
  acceptor.async_accept([&acceptor, handler](std::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // shutting down
    if (!ec) std::make_shared<Connection>(std::move(socket), handler)->start();
    accept_next(acceptor, handler);
  });
}

}  // namespace

void serve(asio::ip::tcp::acceptor& acceptor, Handler handler) {
  accept_next(acceptor, std::make_shared<const Handler>(std::move(handler)));
}

}  // namespace web_cache
