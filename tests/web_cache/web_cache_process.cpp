#include "web_cache_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace memcache::test {
namespace {

// Reads up to the first newline, giving up after `timeout_ms` of silence.
std::string read_line(int fd, int timeout_ms) {
  std::string line;
  char c = 0;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, timeout_ms) == 1 && ::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

}  // namespace

WebCacheProcess::WebCacheProcess(const std::vector<std::string>& args)
    : WebCacheProcess(WEB_CACHE_PATH, [&] {
        std::vector<std::string> all{"--port", "0"};
        all.insert(all.end(), args.begin(), args.end());
        return all;
      }()) {}

WebCacheProcess::WebCacheProcess(const std::string& program, const std::vector<std::string>& args) {
  // Everything the child needs is built before fork: only exec-safe calls after.
  std::vector<std::string> strings{program};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  stdout_fd_ = out[0];

  const std::string banner = read_line(stdout_fd_, 10000);
  const std::string prefix = "listening on 127.0.0.1:";
  if (banner.compare(0, prefix.size(), prefix) != 0) {
    stop();
    throw std::runtime_error(program + " did not start: '" + banner + "'");
  }
  port_ = static_cast<std::uint16_t>(std::stoul(banner.substr(prefix.size())));
}

WebCacheProcess::~WebCacheProcess() { stop(); }

int WebCacheProcess::stop() {
  int code = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    if (WIFEXITED(status)) code = WEXITSTATUS(status);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return code;
}

}  // namespace memcache::test
