#ifndef MEMCACHE_SRC_TRANSPORT_TLS_CHANNEL_HPP
#define MEMCACHE_SRC_TRANSPORT_TLS_CHANNEL_HPP

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "cluster/address.hpp"
#include "transport/tls_context.hpp"

namespace memcache::detail {

/// TLS over the sync client's connected, non-blocking socket: OpenSSL reads
/// and writes the descriptor itself. Every call returns at once (0 when it
/// would block); the caller waits with poll. What OpenSSL has decrypted is
/// drained by the caller while pending() (poll cannot see it).
class TlsChannel {
 public:
  TlsChannel(int fd, TlsPeer& peer, const Address& address);
  ~TlsChannel();
  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;

  /// The client handshake, done by `deadline`; throws IoError saying it was
  /// TLS and why (untrusted chain, wrong name, no TLS, timed out).
  void handshake(std::chrono::steady_clock::time_point deadline);

  /// Bytes of `data` taken (0: would block). `data` is the rest of one
  /// write, to its end: its records are cut as tls_write_cut says. Throws
  /// IoError.
  std::size_t write_some(std::string_view data);
  /// Plaintext bytes read into `out` (0: would block). Throws IoError, also
  /// when the server closed the connection.
  std::size_t read_some(char* out, std::size_t size);
  /// Bytes are decrypted or buffered already: read_some gives them with no wait.
  bool pending() const;
  /// Whether a connection owed nothing may be used (see idle_socket_ok):
  /// session tickets and the like are processed, plaintext is not consumed.
  bool idle_ok(bool unsynced);

 private:
  [[noreturn]] void fail(int ssl_error, std::string_view doing);
  /// The alert the server sent before it closed, if one is there to read.
  std::string pending_alert();

  std::unique_ptr<ssl_st, void (*)(ssl_st*)> ssl_;
  int fd_;
  const Address& address_;
  bool writing_ = false;  // a write is part-way out
};

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_TLS_CHANNEL_HPP
