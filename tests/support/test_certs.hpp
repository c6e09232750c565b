#ifndef MEMCACHE_TESTS_SUPPORT_TEST_CERTS_HPP
#define MEMCACHE_TESTS_SUPPORT_TEST_CERTS_HPP

#include <string>
#include <vector>

namespace memcache::test {

/// Certificates for TLS tests, made with the `openssl` CLI into a fresh
/// temporary directory (removed in the destructor): a CA; a server
/// certificate it signs for DNS:localhost and IP:127.0.0.1; a client
/// certificate it signs; and a second CA, trusted by nobody, with a server
/// and a client certificate of its own. EC P-256 keys, valid two days.
class TestCerts {
 public:
  TestCerts();
  ~TestCerts();
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string server_cert() const { return dir_ + "/server.pem"; }
  std::string server_key() const { return dir_ + "/server.key"; }
  std::string client_cert() const { return dir_ + "/client.pem"; }
  std::string client_key() const { return dir_ + "/client.key"; }
  std::string other_ca() const { return dir_ + "/other-ca.pem"; }
  std::string other_client_cert() const { return dir_ + "/other-client.pem"; }
  std::string other_client_key() const { return dir_ + "/other-client.key"; }

  /// memcached's flags for TLS with the server certificate; `verify_mode` 2
  /// requires a client certificate signed by ca().
  std::vector<std::string> server_args(int verify_mode = 0) const;

 private:
  void make_ca(const std::string& name);
  void make_leaf(const std::string& name, const std::string& ca, const std::string& extensions);

  std::string dir_;
};

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_TEST_CERTS_HPP
