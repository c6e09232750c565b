#include "programs.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace memcache::bench {

std::string self_path() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

std::string sibling_path(std::string_view name) {
  return (std::filesystem::path(self_path()).parent_path() / std::string(name)).string();
}

std::optional<std::string> find_in_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string candidate = std::string(dirs.substr(0, colon)) + "/" + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
  }
  return std::nullopt;
}

}  // namespace memcache::bench
