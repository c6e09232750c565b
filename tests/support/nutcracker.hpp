#ifndef MEMCACHE_TESTS_SUPPORT_NUTCRACKER_HPP
#define MEMCACHE_TESTS_SUPPORT_NUTCRACKER_HPP

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace memcache::test {

/// A twemproxy (Debian's `nutcracker`) for one test, in front of memcached
/// servers: started on a free loopback port with its own configuration, log
/// and stats port in a temporary directory, stopped in the destructor.
///
/// Keys are spread by twemproxy itself (ketama over fnv1a_64), so a client
/// sees one server: spec().
class Nutcracker {
 public:
  struct Settings {
    /// Backend servers as "host:port" (TCP only: what twemproxy supports).
    std::vector<std::string> servers;
    /// How long twemproxy waits for a backend before it answers the client
    /// with SERVER_ERROR.
    std::chrono::milliseconds timeout{400};
    /// Whether a backend that fails `server_failure_limit` times is taken
    /// out of the ring (its keys move) for `server_retry_timeout`.
    bool auto_eject_hosts = false;
    std::chrono::milliseconds server_retry_timeout{2000};
    int server_failure_limit = 1;
  };

  explicit Nutcracker(Settings settings);
  ~Nutcracker();
  Nutcracker(const Nutcracker&) = delete;
  Nutcracker& operator=(const Nutcracker&) = delete;

  /// The server string a Client takes: "127.0.0.1:<port>".
  std::string spec() const;
  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  /// Its configuration file (YAML), for a test that reads what it runs with.
  std::string config_path() const { return dir_ + "/nutcracker.yml"; }
  /// What it logged so far.
  std::string log() const;

 private:
  void write_config() const;
  void launch();

  Settings settings_;
  std::string dir_;
  std::uint16_t port_ = 0;
  std::uint16_t stats_port_ = 0;
  pid_t pid_ = -1;
};

/// The nutcracker binary: $NUTCRACKER_BIN, else /usr/sbin/nutcracker.
std::string nutcracker_binary();

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_NUTCRACKER_HPP
