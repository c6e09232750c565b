#ifndef MEMCACHE_TESTS_SUPPORT_FAULT_PROXY_HPP
#define MEMCACHE_TESTS_SUPPORT_FAULT_PROXY_HPP

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace memcache::test {

/// A TCP proxy between a client under test and a real memcached, on its own
/// thread (standalone Asio), that the test steers: it passes bytes through,
/// delays them, stalls, drops connections, cuts or corrupts replies, or
/// answers a request itself with canned bytes.
///
///     MemcachedServer server;
///     FaultProxy proxy(server.port());
///     memcache::Client mc({proxy.spec()}, options);
///     proxy.reply_next("VALUE k 0 99999999\r\n");   // the next request gets this
///
/// Every control call is thread-safe and applies to bytes that reach the
/// proxy after it returns. One-shot faults (cut, corrupt, reply_next,
/// close_after_next_reply) are taken by the first connection that meets them.
/// A "request" or "reply" is one chunk as read from a socket: the client's
/// requests are small and written at once, so one chunk is one request.
class FaultProxy {
 public:
  /// Listens on a free loopback port and forwards to 127.0.0.1:`upstream_port`.
  explicit FaultProxy(std::uint16_t upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  /// The server string a Client takes: "127.0.0.1:<port>".
  std::string spec() const;
  std::uint16_t port() const;

  /// Clears every fault; held bytes flow again.
  void pass_through();
  /// Holds every chunk, both ways, this long before forwarding it.
  void delay(std::chrono::milliseconds d);
  /// Forwards at most `bytes` each `every`, both ways, reading no faster
  /// (a slow link: bytes keep moving, and the sender's writes back up).
  /// `bytes` 0 turns it off. Connections made while it is on keep small
  /// socket buffers, so the sender sees the pace rather than filling them.
  void throttle(std::size_t bytes, std::chrono::milliseconds every);
  /// Stops forwarding, both ways, keeping connections open and bytes held
  /// (as a SIGSTOPped server would); resume() sends what was held.
  void stall();
  void resume();
  /// Closes every open connection, both sides, now.
  void drop_connections();
  /// While on, new connections are accepted and closed at once (a server
  /// that dies as it is reached).
  void refuse(bool on);

  /// Forwards only the next `bytes` bytes from the server, then closes the
  /// client's connection (a reply cut in the middle).
  void cut_reply_after(std::size_t bytes);
  /// Replaces the byte `offset` bytes into what the server sends next with
  /// `with`.
  void corrupt_reply_at(std::size_t offset, char with);
  /// The next request is answered with `bytes` instead of the server's reply;
  /// with `forward_request` the server gets the request too (and its own
  /// reply follows), else the server never sees it. With `then_close` the
  /// client's connection is closed once `bytes` are written.
  void reply_next(std::string bytes, bool forward_request = false, bool then_close = false);
  /// In the next reply from the server that carries a meta opaque token
  /// (` O<digits>`), that token becomes the next number: the reply now claims
  /// to answer another request.
  void rewrite_next_opaque();
  /// The server's next reply goes through whole, then the connection closes.
  void close_after_next_reply();

  /// Client connections open now, and accepted so far.
  std::size_t open_connections() const;
  std::size_t accepted() const;
  /// Faults taken so far (one-shot faults that met a connection).
  std::size_t faults_injected() const;

  struct Impl;  // the proxy's thread and state (fault_proxy.cpp)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_FAULT_PROXY_HPP
