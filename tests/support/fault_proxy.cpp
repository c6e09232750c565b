#include "fault_proxy.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <asio/connect.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

namespace memcache::test {
namespace fault_proxy_detail {

using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto stall_poll = 2ms;            // how often a stalled chunk looks again
constexpr int throttle_buffer = 16 * 1024;  // socket buffers of throttled connections

enum class Direction { to_server, to_client };

class Session;

// Turns the first ` O<digits>` token of `chunk` into the next number; false
// when the chunk has none.
bool rewrite_opaque(std::string& chunk) {
  for (std::size_t at = chunk.find(" O"); at != std::string::npos; at = chunk.find(" O", at + 1)) {
    std::size_t end = at + 2;
    while (end < chunk.size() && chunk[end] >= '0' && chunk[end] <= '9') ++end;
    if (end == at + 2 || (end < chunk.size() && chunk[end] != ' ' && chunk[end] != '\r')) continue;
    const unsigned long long token = std::stoull(chunk.substr(at + 2, end - at - 2));
    chunk.replace(at + 2, end - at - 2, std::to_string(token + 1));
    return true;
  }
  return false;
}

}  // namespace fault_proxy_detail

using namespace fault_proxy_detail;

// Everything below runs on the proxy's thread, except the control calls,
// which only touch the fault state under `mutex` (or post to the thread).
struct FaultProxy::Impl {
  struct Canned {
    std::string bytes;
    bool forward_request = false;
    bool then_close = false;
  };

  // What a chunk meets when it is delivered; taken under `mutex`.
  struct Faults {
    std::chrono::milliseconds delay{0};
    std::size_t throttle_bytes = 0;
    std::chrono::milliseconds throttle_every{0};
    bool stalled = false;
    bool refusing = false;
    std::optional<std::size_t> cut_after;
    std::optional<std::pair<std::size_t, char>> corrupt;
    bool rewrite_opaque = false;
    std::optional<Canned> canned;
    bool close_after_reply = false;
  };

  explicit Impl(std::uint16_t upstream_port)
      : upstream(asio::ip::address_v4::loopback(), upstream_port), work(asio::make_work_guard(io)) {
    acceptor.open(tcp::v4());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    acceptor.listen();
    port = acceptor.local_endpoint().port();
  }

  void accept();
  // Runs `fn` on the proxy thread and waits for it.
  template <class Fn>
  void run_on_thread(Fn fn) {
    std::promise<void> done;
    asio::post(io, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
  void close_all();

  asio::io_context io;
  tcp::acceptor acceptor{io};
  tcp::endpoint upstream;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
  std::uint16_t port = 0;

  std::mutex mutex;
  Faults faults;
  std::size_t faults_taken = 0;

  std::vector<std::weak_ptr<Session>> sessions;  // proxy thread only
  std::atomic<std::size_t> open{0};
  std::atomic<std::size_t> accepted{0};
};

namespace fault_proxy_detail {

// One client connection and its upstream twin. Each direction reads a chunk,
// waits out delay and stall, applies the faults, queues it for writing on the
// other side, and only then reads again: order is kept, bytes are held (not
// read) while stalled.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(FaultProxy::Impl& proxy, tcp::socket client)
      : proxy_(proxy),
        client_(std::move(client)),
        server_(proxy.io),
        timers_{asio::steady_timer(proxy.io), asio::steady_timer(proxy.io)} {
    ++proxy_.open;
  }

  void start() {
    server_.socket.async_connect(proxy_.upstream, [self = shared_from_this()](const asio::error_code& ec) {
      if (ec) return self->close();
      asio::error_code ignored;
      self->server_.socket.set_option(tcp::no_delay(true), ignored);
      self->client_.socket.set_option(tcp::no_delay(true), ignored);
      if (self->throttled()) {
        // Small buffers: a throttled sender's writes back up at once.
        for (tcp::socket* s : {&self->client_.socket, &self->server_.socket}) {
          s->set_option(asio::socket_base::receive_buffer_size(throttle_buffer), ignored);
          s->set_option(asio::socket_base::send_buffer_size(throttle_buffer), ignored);
        }
      }
      self->read(Direction::to_server);
      self->read(Direction::to_client);
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    client_.socket.close(ignored);
    server_.socket.close(ignored);
    for (auto& t : timers_) t.cancel();
    --proxy_.open;
  }

 private:
  struct Side {
    explicit Side(tcp::socket s) : socket(std::move(s)) {}
    explicit Side(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::deque<std::string> queue;
    bool writing = false;
    bool close_when_drained = false;
  };

  static std::size_t index(Direction d) { return d == Direction::to_server ? 0 : 1; }
  Side& source(Direction d) { return d == Direction::to_server ? client_ : server_; }

  bool throttled() {
    std::lock_guard<std::mutex> lock(proxy_.mutex);
    return proxy_.faults.throttle_bytes > 0;
  }

  void read(Direction d) {
    if (closed_) return;
    auto& buf = buffers_[index(d)];
    std::size_t most = buf.size();
    {
      std::lock_guard<std::mutex> lock(proxy_.mutex);
      if (proxy_.faults.throttle_bytes > 0) most = std::min(most, proxy_.faults.throttle_bytes);
    }
    source(d).socket.async_read_some(asio::buffer(buf.data(), most),
                                     [self = shared_from_this(), d](const asio::error_code& ec, std::size_t n) {
                                       if (ec || self->closed_) return self->close();
                                       self->wait_delay(d, std::string(self->buffers_[index(d)].data(), n));
                                     });
  }

  void wait_delay(Direction d, std::string chunk) {
    std::chrono::milliseconds delay;
    {
      std::lock_guard<std::mutex> lock(proxy_.mutex);
      delay = proxy_.faults.delay;
      if (proxy_.faults.throttle_bytes > 0) delay += proxy_.faults.throttle_every;
    }
    if (delay.count() <= 0) return wait_stall(d, std::move(chunk));
    auto& timer = timers_[index(d)];
    timer.expires_after(delay);
    timer.async_wait([self = shared_from_this(), d, chunk = std::move(chunk)](const asio::error_code&) mutable {
      if (self->closed_) return;
      self->wait_stall(d, std::move(chunk));
    });
  }

  void wait_stall(Direction d, std::string chunk) {
    bool stalled;
    {
      std::lock_guard<std::mutex> lock(proxy_.mutex);
      stalled = proxy_.faults.stalled;
    }
    if (!stalled) return deliver(d, std::move(chunk));
    auto& timer = timers_[index(d)];
    timer.expires_after(stall_poll);
    timer.async_wait([self = shared_from_this(), d, chunk = std::move(chunk)](const asio::error_code&) mutable {
      if (self->closed_) return;
      self->wait_stall(d, std::move(chunk));
    });
  }

  void deliver(Direction d, std::string chunk) {
    bool keep_reading = true;
    std::unique_lock<std::mutex> lock(proxy_.mutex);
    auto& f = proxy_.faults;
    if (d == Direction::to_server) {
      if (f.canned) {
        FaultProxy::Impl::Canned canned = std::move(*f.canned);
        f.canned.reset();
        ++proxy_.faults_taken;
        lock.unlock();
        if (canned.then_close) {
          client_.close_when_drained = true;
          keep_reading = false;
        }
        if (canned.forward_request) send(server_, std::move(chunk));
        send(client_, std::move(canned.bytes));
      } else {
        lock.unlock();
        send(server_, std::move(chunk));
      }
    } else {
      if (f.corrupt) {
        if (f.corrupt->first < chunk.size()) {
          chunk[f.corrupt->first] = f.corrupt->second;
          f.corrupt.reset();
          ++proxy_.faults_taken;
        } else {
          f.corrupt->first -= chunk.size();
        }
      }
      if (f.rewrite_opaque && rewrite_opaque(chunk)) {
        f.rewrite_opaque = false;
        ++proxy_.faults_taken;
      }
      if (f.cut_after) {
        if (*f.cut_after <= chunk.size()) {
          chunk.resize(*f.cut_after);
          f.cut_after.reset();
          ++proxy_.faults_taken;
          client_.close_when_drained = true;
          keep_reading = false;
        } else {
          *f.cut_after -= chunk.size();
        }
      } else if (f.close_after_reply) {
        f.close_after_reply = false;
        ++proxy_.faults_taken;
        client_.close_when_drained = true;
        keep_reading = false;
      }
      lock.unlock();
      send(client_, std::move(chunk));
    }
    if (keep_reading) read(d);
  }

  void send(Side& side, std::string data) {
    if (closed_) return;
    if (data.empty()) {
      if (!side.writing && side.close_when_drained) close();
      return;
    }
    side.queue.push_back(std::move(data));
    if (!side.writing) write(side);
  }

  void write(Side& side) {
    side.writing = true;
    asio::async_write(side.socket, asio::buffer(side.queue.front()),
                      [self = shared_from_this(), &side](const asio::error_code& ec, std::size_t) {
                        if (ec || self->closed_) return self->close();
                        side.queue.pop_front();
                        if (!side.queue.empty()) return self->write(side);
                        side.writing = false;
                        if (side.close_when_drained) self->close();
                      });
  }

  FaultProxy::Impl& proxy_;
  Side client_;
  Side server_;
  std::array<asio::steady_timer, 2> timers_;
  std::array<std::array<char, 64 * 1024>, 2> buffers_{};
  bool closed_ = false;
};

}  // namespace fault_proxy_detail

void FaultProxy::Impl::accept() {
  acceptor.async_accept([this](const asio::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      ++accepted;
      bool refusing;
      {
        std::lock_guard<std::mutex> lock(mutex);
        refusing = faults.refusing;
        if (refusing) ++faults_taken;
      }
      if (refusing) {
        asio::error_code ignored;
        socket.close(ignored);
      } else {
        auto session = std::make_shared<Session>(*this, std::move(socket));
        // Forget sessions that have gone.
        sessions.erase(std::remove_if(sessions.begin(), sessions.end(), [](auto& w) { return w.expired(); }),
                       sessions.end());
        sessions.push_back(session);
        session->start();
      }
    }
    accept();
  });
}

void FaultProxy::Impl::close_all() {
  for (auto& w : sessions) {
    if (auto s = w.lock()) s->close();
  }
  sessions.clear();
}

FaultProxy::FaultProxy(std::uint16_t upstream_port) : impl_(std::make_shared<Impl>(upstream_port)) {
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FaultProxy::~FaultProxy() {
  impl_->run_on_thread([impl = impl_.get()] {
    asio::error_code ignored;
    impl->acceptor.close(ignored);
    impl->close_all();
  });
  impl_->work.reset();
  impl_->thread.join();
}

std::string FaultProxy::spec() const { return "127.0.0.1:" + std::to_string(impl_->port); }
std::uint16_t FaultProxy::port() const { return impl_->port; }

void FaultProxy::pass_through() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults = Impl::Faults{};
}

void FaultProxy::delay(std::chrono::milliseconds d) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.delay = d;
}

void FaultProxy::throttle(std::size_t bytes, std::chrono::milliseconds every) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.throttle_bytes = bytes;
  impl_->faults.throttle_every = every;
  // Connections accepted from now on advertise a small window from their
  // first packet (a buffer shrunk after the handshake keeps the window it
  // advertised): what a slow link cannot take stays in the sender's queue.
  asio::error_code ignored;
  impl_->acceptor.set_option(asio::socket_base::receive_buffer_size(throttle_buffer), ignored);
}

void FaultProxy::stall() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.stalled = true;
}

void FaultProxy::resume() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.stalled = false;
}

void FaultProxy::drop_connections() {
  impl_->run_on_thread([impl = impl_.get()] { impl->close_all(); });
}

void FaultProxy::refuse(bool on) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.refusing = on;
}

void FaultProxy::cut_reply_after(std::size_t bytes) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.cut_after = bytes;
}

void FaultProxy::corrupt_reply_at(std::size_t offset, char with) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.corrupt = std::make_pair(offset, with);
}

void FaultProxy::reply_next(std::string bytes, bool forward_request, bool then_close) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.canned = Impl::Canned{std::move(bytes), forward_request, then_close};
}

void FaultProxy::rewrite_next_opaque() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.rewrite_opaque = true;
}

void FaultProxy::close_after_next_reply() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->faults.close_after_reply = true;
}

std::size_t FaultProxy::open_connections() const { return impl_->open.load(); }
std::size_t FaultProxy::accepted() const { return impl_->accepted.load(); }

std::size_t FaultProxy::faults_injected() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->faults_taken;
}

}  // namespace memcache::test
