#ifndef MEMCACHE_TLS_OPTIONS_HPP
#define MEMCACHE_TLS_OPTIONS_HPP

#include <string>

namespace memcache {

/// TLS for every server of a client (memcached started with `-Z`, managed
/// services that require it), over TCP only: a client with TLS on refuses
/// `unix:` servers at construction. OpenSSL does the work; one context is
/// built per client from these fields when the client is constructed (a file
/// that cannot be read throws memcache::Error naming it), and each server's
/// session is kept so that reconnects resume it where the server allows.
///
///     memcache::Options o;
///     o.tls.enabled = true;
///     o.tls.ca_file = "/etc/ssl/my-ca.pem";
///     memcache::Client mc({"cache.internal:11211"}, o);
///
/// A handshake that fails (untrusted chain, wrong name, a server that does not
/// speak TLS) fails the call within `connect_timeout` and marks the server
/// dead like any connection failure; the sync client's debug log and the
/// async client's `errc::tls_failed` say it was TLS, the log says why.
struct TlsOptions {
  /// Every server of this client over TLS.
  bool enabled = false;
  /// PEM file of the certificate authorities trusted to sign the servers'
  /// certificates; empty: the system's default trust store.
  std::string ca_file;
  /// PEM certificate (chain) presented to the server, for mutual TLS; needs
  /// `key_file`.
  std::string cert_file;
  /// PEM private key of `cert_file`.
  std::string key_file;
  /// Check the server's chain against the trusted authorities and its name
  /// (a DNS name, or an IP address against the certificate's IP entries).
  /// Turning this off accepts any certificate: for tests only.
  bool verify_peer = true;
  /// The name sent as SNI and checked against the certificate; empty: the
  /// host of the server string. An IP address is checked as an address and
  /// not sent as SNI.
  std::string server_name;
};

}  // namespace memcache

#endif  // MEMCACHE_TLS_OPTIONS_HPP
