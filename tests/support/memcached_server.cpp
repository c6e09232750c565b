#include "memcached_server.hpp"

#include "child.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace memcache::test {
namespace {

bool can_connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string memcached_binary() {
  const char* env = std::getenv("MEMCACHED_BIN");
  return env && *env ? env : "/usr/bin/memcached";
}

MemcachedServer::MemcachedServer(Transport transport, std::vector<std::string> extra_args)
    : transport_(transport), extra_args_(std::move(extra_args)) {
  if (transport_ == Transport::unix_socket) {
    dir_ = make_temp_dir("memcache-test");
    socket_path_ = dir_ + "/memcached.sock";
  }
  // Another process may take the port between free_port() and memcached's
  // bind; then memcached exits and we try another one.
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (transport_ == Transport::tcp) port_ = free_port();
    launch();
    if (wait_until_ready()) return;
    kill();
  }
  throw std::runtime_error("memcached did not start (is " + memcached_binary() + " installed?)");
}

MemcachedServer::~MemcachedServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    kill();
  }
  remove_dir(dir_);
}

std::vector<std::string> MemcachedServer::tls_args(const std::string& cert, const std::string& key,
                                                   const std::string& client_ca, int verify_mode) {
  std::string o = "ssl_chain_cert=" + cert + ",ssl_key=" + key + ",ssl_session_cache";
  if (!client_ca.empty()) o += ",ssl_ca_cert=" + client_ca;
  if (verify_mode != 0) o += ",ssl_verify_mode=" + std::to_string(verify_mode);
  return {"-Z", "-o", o};
}

std::string MemcachedServer::spec() const {
  if (transport_ == Transport::unix_socket) return "unix:" + socket_path_;
  return "127.0.0.1:" + std::to_string(port_);
}

void MemcachedServer::launch() {
  std::vector<std::string> args{memcached_binary()};
  if (transport_ == Transport::tcp) {
    args.insert(args.end(), {"-l", "127.0.0.1", "-p", std::to_string(port_), "-U", "0"});
  } else {
    args.insert(args.end(), {"-s", socket_path_});
    std::filesystem::remove(socket_path_);
  }
  if (::geteuid() == 0) args.insert(args.end(), {"-u", "root"});
  args.insert(args.end(), {"-m", "64", "-t", "2"});
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());

  pid_ = spawn(args);
}

bool MemcachedServer::wait_until_ready() {
  return wait_child_ready(
      pid_,
      [this] {
        // The port may be another test's server's, if ours failed to bind it.
        return transport_ == Transport::tcp ? can_connect_tcp(port_) && listens_on(pid_, port_)
                                            : can_connect_unix(socket_path_);
      },
      std::chrono::seconds(10));
}

// kill() only queues the signal: memcached's threads may still answer a
// request or two before they stop. Wait until the whole process has stopped
// (or continued), so a test that pauses a server knows it is silent.
void MemcachedServer::pause() {
  if (pid_ <= 0 || paused_) return;
  ::kill(pid_, SIGSTOP);
  int status = 0;
  while (::waitpid(pid_, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
  paused_ = true;
}

void MemcachedServer::resume() {
  if (pid_ <= 0 || !paused_) return;
  ::kill(pid_, SIGCONT);
  int status = 0;
  while (::waitpid(pid_, &status, WCONTINUED) < 0 && errno == EINTR) {
  }
  paused_ = false;
}

void MemcachedServer::kill() {
  if (pid_ <= 0) return;
  kill_child(pid_);
  pid_ = -1;
  paused_ = false;
}

void MemcachedServer::restart() {
  kill();
  // The old listening socket may linger briefly; retry on the same port.
  for (int attempt = 0; attempt < 50; ++attempt) {
    launch();
    if (wait_until_ready()) return;
    kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("memcached did not restart on " + spec());
}

}  // namespace memcache::test
