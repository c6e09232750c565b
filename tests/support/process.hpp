#ifndef MEMCACHE_TESTS_SUPPORT_PROCESS_HPP
#define MEMCACHE_TESTS_SUPPORT_PROCESS_HPP

#include <map>
#include <string>
#include <vector>

namespace memcache::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Runs `argv` to completion with `input` on its stdin and `env` added to the
/// environment; captures stdout and stderr.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          const std::map<std::string, std::string>& env = {});

}  // namespace memcache::test

#endif  // MEMCACHE_TESTS_SUPPORT_PROCESS_HPP
