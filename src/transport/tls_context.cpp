#include "transport/tls_context.hpp"

#include <functional>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>
#include <asio/ip/address.hpp>

#include <memcache/error.hpp>

namespace memcache::detail {
namespace {

// Where each SSL keeps its TlsPeer, for the new-session callback.
int peer_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* peer = static_cast<TlsPeer*>(SSL_get_ex_data(ssl, peer_index()));
  if (peer == nullptr) return 0;
  peer->keep(session);
  return 1;  // the reference is the peer's now
}

void load(const std::string& what, const std::string& file, const std::function<void(asio::error_code&)>& fn) {
  asio::error_code ec;
  fn(ec);
  if (ec) throw Error(fmt::format("TLS: cannot load {} {}: {}", what, file, openssl_reason(ec.message())));
}

}  // namespace

TlsContext::TlsContext(const TlsOptions& options)
    : context_(asio::ssl::context::tls_client), verify_peer_(options.verify_peer), server_name_(options.server_name) {
  SSL_CTX* ctx = context_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A server that goes away without close_notify is a closed connection, as
  // over TCP (memcached's replies delimit themselves: nothing is truncated
  // unnoticed).
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  context_.set_verify_mode(options.verify_peer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  if (!options.ca_file.empty()) {
    load("ca_file", options.ca_file, [&](asio::error_code& ec) { context_.load_verify_file(options.ca_file, ec); });
  } else {
    asio::error_code ec;
    context_.set_default_verify_paths(ec);
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    throw Error("TLS: cert_file and key_file go together (a client certificate needs its key)");
  }
  if (!options.cert_file.empty()) {
    load("cert_file", options.cert_file,
         [&](asio::error_code& ec) { context_.use_certificate_chain_file(options.cert_file, ec); });
    load("key_file", options.key_file,
         [&](asio::error_code& ec) { context_.use_private_key_file(options.key_file, asio::ssl::context::pem, ec); });
    if (SSL_CTX_check_private_key(ctx) != 1) {
      throw Error(fmt::format("TLS: key_file {} is not the key of cert_file {}: {}", options.key_file,
                              options.cert_file, openssl_reason("mismatch")));
    }
  }
  // Sessions are kept per server by TlsPeer, not in OpenSSL's cache (which
  // clients do not look up by themselves anyway).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
}

TlsPeer::TlsPeer(std::shared_ptr<TlsContext> context, const Address& address)
    : context_(std::move(context)), name_(context_->server_name().empty() ? address.host : context_->server_name()) {
  asio::error_code not_ip;
  (void)asio::ip::make_address(name_, not_ip);
  name_is_ip_ = !not_ip;
}

void TlsPeer::prepare(SSL* ssl) {
  SSL_set_ex_data(ssl, peer_index(), this);
  // RFC 6066: SNI carries host names only, never an address.
  if (!name_is_ip_) SSL_set_tlsext_host_name(ssl, name_.c_str());
  if (context_->verify_peer()) {
    if (name_is_ip_) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name_.c_str());
    } else {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(ssl, name_.c_str());
    }
  }
  std::shared_ptr<SSL_SESSION> session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    session = session_;
  }
  if (session && SSL_SESSION_is_resumable(session.get()) == 1) SSL_set_session(ssl, session.get());
}

void TlsPeer::keep(SSL_SESSION* session) {
  std::shared_ptr<SSL_SESSION> owned(session, SSL_SESSION_free);
  std::lock_guard<std::mutex> lock(mutex_);
  session_.swap(owned);
}

std::string openssl_reason(std::string_view fallback) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  return reason != nullptr ? std::string(reason) : std::string(fallback);
}

std::string tls_failure(SSL* ssl, std::string_view reason) {
  if (ssl != nullptr && (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0) {
    const long result = SSL_get_verify_result(ssl);
    if (result != X509_V_OK) {
      return fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(result));
    }
  }
  return std::string(reason);
}

}  // namespace memcache::detail
