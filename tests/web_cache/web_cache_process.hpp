#ifndef MEMCACHE_TESTS_WEB_CACHE_PROCESS_HPP
#define MEMCACHE_TESTS_WEB_CACHE_PROCESS_HPP

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace memcache::test {

/// The web_cache example as a child process, started with `--port 0` plus
/// `args`; its port is read from the first line it prints. Stopped (SIGTERM,
/// then reaped) in the destructor if `stop()` was not called.
class WebCacheProcess {
 public:
  explicit WebCacheProcess(const std::vector<std::string>& args);
  /// Any server that prints the same first line (examples/web_cache/flask_app.py):
  /// `program` run with exactly `args`.
  WebCacheProcess(const std::string& program, const std::vector<std::string>& args);
  ~WebCacheProcess();
  WebCacheProcess(const WebCacheProcess&) = delete;
  WebCacheProcess& operator=(const WebCacheProcess&) = delete;

  std::uint16_t port() const { return port_; }
  /// SIGTERM and wait; the exit code, or -1 when it died of a signal.
  int stop();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_WEB_CACHE_PROCESS_HPP
