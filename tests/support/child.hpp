#ifndef MEMCACHE_TESTS_SUPPORT_CHILD_HPP
#define MEMCACHE_TESTS_SUPPORT_CHILD_HPP

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace memcache::test {

/// A loopback TCP port nobody listens on right now (another process may take
/// it before the caller binds it: callers retry).
std::uint16_t free_port();

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
bool can_connect_tcp(std::uint16_t port);

/// False when the TCP socket listening on `port` is known to belong to another
/// process than `pid` (read from /proc; true when /proc cannot tell). Two
/// tests run in parallel may get the same port from free_port(): the one whose
/// server then fails to bind must not take the other's server for its own.
bool listens_on(pid_t pid, std::uint16_t port);

/// Starts `args` (args[0] is the program's path) as a child that is killed when
/// this process dies, even without running destructors. Returns its pid.
pid_t spawn(const std::vector<std::string>& args);

/// Waits up to `timeout` until `ready()` holds, while the child `pid` lives.
/// False when the time ran out, or when the child exited: then it is reaped
/// and `pid` becomes -1.
template <class Ready>
bool wait_child_ready(pid_t& pid, Ready ready, std::chrono::milliseconds timeout);

/// SIGKILL and reap; nothing when `pid` <= 0.
void kill_child(pid_t pid);

/// Whether the child `pid` has exited (reaps it when it has).
bool child_exited(pid_t pid);

/// A fresh temporary directory (mkdtemp under /tmp), and its removal.
std::string make_temp_dir(const char* prefix);
void remove_dir(const std::string& dir);

}  // namespace memcache::test

#include <thread>

template <class Ready>
bool memcache::test::wait_child_ready(pid_t& pid, Ready ready, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_exited(pid)) {
      pid = -1;
      return false;
    }
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

#endif  // MEMCACHE_TESTS_SUPPORT_CHILD_HPP
