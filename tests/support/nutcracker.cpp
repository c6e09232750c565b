#include "nutcracker.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "child.hpp"

namespace memcache::test {

std::string nutcracker_binary() {
  const char* env = std::getenv("NUTCRACKER_BIN");
  return env && *env ? env : "/usr/sbin/nutcracker";
}

Nutcracker::Nutcracker(Settings settings) : settings_(std::move(settings)), dir_(make_temp_dir("memcache-nutcracker")) {
  if (settings_.servers.empty()) throw std::invalid_argument("Nutcracker needs at least one backend server");
  // Another process may take a port between free_port() and nutcracker's
  // bind; then nutcracker exits and we try other ones.
  for (int attempt = 0; attempt < 10; ++attempt) {
    port_ = free_port();
    stats_port_ = free_port();
    write_config();
    launch();
    if (wait_child_ready(
            pid_, [this] { return can_connect_tcp(port_) && listens_on(pid_, port_); }, std::chrono::seconds(10)))
      return;
    kill_child(pid_);
    pid_ = -1;
  }
  const std::string why = log();
  remove_dir(dir_);
  throw std::runtime_error("nutcracker did not start (is " + nutcracker_binary() + " installed?): " + why);
}

Nutcracker::~Nutcracker() {
  kill_child(pid_);
  remove_dir(dir_);
}

std::string Nutcracker::spec() const { return "127.0.0.1:" + std::to_string(port_); }

std::string Nutcracker::log() const {
  std::ifstream in(dir_ + "/nutcracker.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void Nutcracker::write_config() const {
  std::ofstream out(config_path());
  out << "pool:\n"
      << "  listen: 127.0.0.1:" << port_ << "\n"
      << "  hash: fnv1a_64\n"
      << "  distribution: ketama\n"
      << "  timeout: " << settings_.timeout.count() << "\n"
      << "  auto_eject_hosts: " << (settings_.auto_eject_hosts ? "true" : "false") << "\n"
      << "  server_retry_timeout: " << settings_.server_retry_timeout.count() << "\n"
      << "  server_failure_limit: " << settings_.server_failure_limit << "\n"
      << "  servers:\n";
  int n = 0;
  for (const auto& server : settings_.servers) out << "   - " << server << ":1 s" << ++n << "\n";
  if (!out) throw std::runtime_error("cannot write " + config_path());
}

void Nutcracker::launch() {
  pid_ = spawn({nutcracker_binary(), "-c", config_path(), "-o", dir_ + "/nutcracker.log", "-p",
                dir_ + "/nutcracker.pid", "-s", std::to_string(stats_port_), "-a", "127.0.0.1", "-v", "4"});
}

}  // namespace memcache::test
