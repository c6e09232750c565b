#ifndef MEMCACHE_TESTS_SUPPORT_MEMCACHED_SERVER_HPP
#define MEMCACHE_TESTS_SUPPORT_MEMCACHED_SERVER_HPP

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace memcache::test {

/// A real memcached process for one test: started on a free loopback port (or
/// a unix socket in a fresh temporary directory), stopped in the destructor.
class MemcachedServer {
 public:
  enum class Transport { tcp, unix_socket };

  explicit MemcachedServer(Transport transport = Transport::tcp, std::vector<std::string> extra_args = {});
  ~MemcachedServer();
  MemcachedServer(const MemcachedServer&) = delete;
  MemcachedServer& operator=(const MemcachedServer&) = delete;

  /// The flags that make memcached speak TLS only (`-Z`): its certificate
  /// chain and key; with `verify_mode` 1 to 3 (memcached's ssl_verify_mode),
  /// client certificates are checked against `client_ca`. Sessions are cached
  /// so that clients may resume them. Pass them as `extra_args`.
  static std::vector<std::string> tls_args(const std::string& cert, const std::string& key,
                                           const std::string& client_ca = {}, int verify_mode = 0);

  /// The server string a Client takes: "127.0.0.1:<port>" or "unix:<path>".
  std::string spec() const;
  std::uint16_t port() const { return port_; }
  const std::string& socket_path() const { return socket_path_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  /// SIGSTOP / SIGCONT: the server stalls with its sockets open. Both return
  /// once the process has really stopped / continued.
  void pause();
  void resume();
  /// SIGKILL and reap; the port stays reserved for restart().
  void kill();
  /// A fresh, empty memcached on the same port or socket.
  void restart();

 private:
  void launch();
  bool wait_until_ready();

  Transport transport_;
  std::vector<std::string> extra_args_;
  std::uint16_t port_ = 0;
  std::string dir_;
  std::string socket_path_;
  pid_t pid_ = -1;
  bool paused_ = false;
};

/// The memcached binary: $MEMCACHED_BIN, else /usr/bin/memcached.
std::string memcached_binary();

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_MEMCACHED_SERVER_HPP
