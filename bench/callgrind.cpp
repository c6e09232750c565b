#include "callgrind.hpp"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <valgrind/callgrind.h>

#include "process.hpp"
#include "programs.hpp"
#include "workloads.hpp"

namespace memcache::bench {
namespace {

const Workload& get_workload() {
  static const std::vector<Workload> all = workloads();
  return *std::find_if(all.begin(), all.end(), [](const Workload& w) { return w.name == "get_100B"; });
}

// A fresh directory for callgrind's output, removed with what it holds.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/memcache-bench-XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The "totals:" (or older "summary:") line of a callgrind output file: the
// instructions collected.
double collected_instructions(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    for (std::string_view tag : {"totals: ", "summary: "}) {
      if (line.rfind(tag, 0) == 0) return std::stod(line.substr(tag.size()));
    }
  }
  throw std::runtime_error("no totals in " + file);
}

}  // namespace

void callgrind_get_loop(PeerKind kind, const std::string& server, std::size_t gets) {
  auto peer = make_peer(kind, {server});
  get_workload().prepare(*peer, 100)();  // connect, store, warm up
  const Run run = get_workload().prepare(*peer, gets);
  CALLGRIND_TOGGLE_COLLECT;
  run();
  CALLGRIND_TOGGLE_COLLECT;
}

double instructions_per_get(PeerKind kind, const std::string& server, std::size_t gets) {
  const auto valgrind = find_in_path("valgrind");
  if (!valgrind) throw std::runtime_error("valgrind is not installed");
  const TempDir dir;
  const std::string out_file = dir.path() + "/callgrind.out";
  const auto result = test::run_process(
      {*valgrind, "--tool=callgrind", "--collect-atstart=no", "--callgrind-out-file=" + out_file, self_path(),
       "--callgrind-get", std::to_string(gets), "--peer", std::string(peer_kind_name(kind)), "--server", server,
       "--protocol", memcache_protocol() == Protocol::meta ? "meta" : "text"});
  if (result.exit_code != 0) throw std::runtime_error("valgrind failed: " + result.err);
  return collected_instructions(out_file) / static_cast<double>(gets);
}

}  // namespace memcache::bench
