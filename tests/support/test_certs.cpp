#include "test_certs.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "memcached_server.hpp"
#include "process.hpp"

namespace memcache::test {
namespace {

const std::vector<std::string> ec_key{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};

// $OPENSSL_BIN, else Debian's.
std::string openssl_binary() {
  const char* env = std::getenv("OPENSSL_BIN");
  return env != nullptr && *env != '\0' ? env : "/usr/bin/openssl";
}

void openssl(std::vector<std::string> args) {
  args.insert(args.begin(), openssl_binary());
  const auto r = run_process(args);
  if (r.exit_code != 0) throw std::runtime_error("openssl " + args[1] + " failed: " + r.err);
}

}  // namespace

TestCerts::TestCerts() {
  char tmpl[] = "/tmp/memcache-certs-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  make_ca("ca");
  make_ca("other-ca");
  make_leaf("server", "ca",
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  make_leaf("client", "ca", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  make_leaf("other-client", "other-ca", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
}

TestCerts::~TestCerts() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void TestCerts::make_ca(const std::string& name) {
  std::vector<std::string> args{"req", "-x509"};
  args.insert(args.end(), ec_key.begin(), ec_key.end());
  args.insert(args.end(), {"-keyout", dir_ + "/" + name + ".key", "-out", dir_ + "/" + name + ".pem", "-days", "2",
                           "-subj", "/CN=memcache test " + name, "-addext", "basicConstraints=critical,CA:TRUE",
                           "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  openssl(args);
}

void TestCerts::make_leaf(const std::string& name, const std::string& ca, const std::string& extensions) {
  const std::string base = dir_ + "/" + name;
  std::ofstream(base + ".ext") << extensions;
  std::vector<std::string> req{"req"};
  req.insert(req.end(), ec_key.begin(), ec_key.end());
  req.insert(req.end(), {"-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=" + name});
  openssl(req);
  static int serial = 1;
  openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir_ + "/" + ca + ".pem", "-CAkey", dir_ + "/" + ca + ".key",
           "-set_serial", std::to_string(++serial), "-days", "2", "-extfile", base + ".ext", "-out", base + ".pem"});
}

std::vector<std::string> TestCerts::server_args(int verify_mode) const {
  return MemcachedServer::tls_args(server_cert(), server_key(), ca(), verify_mode);
}

}  // namespace memcache::test
