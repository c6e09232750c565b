#ifndef MEMCACHE_SRC_TRANSPORT_TLS_CONTEXT_HPP
#define MEMCACHE_SRC_TRANSPORT_TLS_CONTEXT_HPP

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <asio/ssl/context.hpp>

#include <memcache/tls_options.hpp>

#include "cluster/address.hpp"

struct ssl_st;
struct ssl_session_st;

namespace memcache::detail {

/// One client's TLS configuration, built once from TlsOptions and shared by
/// every connection of both drivers: the trusted authorities, the client
/// certificate, the verification mode, TLS 1.2 at least, and a session cache
/// that hands each new session to the server it came from (TlsPeer).
class TlsContext {
 public:
  /// Throws memcache::Error naming the file that cannot be loaded.
  explicit TlsContext(const TlsOptions& options);

  asio::ssl::context& asio_context() { return context_; }
  bool verify_peer() const { return verify_peer_; }
  const std::string& server_name() const { return server_name_; }

 private:
  asio::ssl::context context_;
  bool verify_peer_;
  std::string server_name_;
};

/// One server's side of TLS: the name checked and sent as SNI, and the last
/// session it gave, so that the next connection resumes it (no full
/// handshake) where the server allows. Thread-safe.
class TlsPeer {
 public:
  TlsPeer(std::shared_ptr<TlsContext> context, const Address& address);

  TlsContext& context() { return *context_; }
  /// Sets up a new connection's SSL before its handshake: SNI, the name or
  /// address to verify, the session to resume.
  void prepare(ssl_st* ssl);
  /// Called by OpenSSL when the server issues a session; takes it.
  void keep(ssl_session_st* session);

 private:
  std::shared_ptr<TlsContext> context_;
  std::string name_;
  bool name_is_ip_;
  std::mutex mutex_;
  std::shared_ptr<ssl_session_st> session_;
};

/// Why a TLS handshake or read failed, for messages: the certificate check
/// that failed (untrusted chain, name mismatch, ...) when there was one, else
/// `reason` (OpenSSL's, e.g. "wrong version number" from a server without TLS).
std::string tls_failure(ssl_st* ssl, std::string_view reason);

/// OpenSSL's reason for the oldest error queued on this thread (and clears
/// the queue), or `fallback`.
std::string openssl_reason(std::string_view fallback);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_TLS_CONTEXT_HPP
