#ifndef MEMCACHE_CLI_COMMANDS_HPP
#define MEMCACHE_CLI_COMMANDS_HPP

#include <iosfwd>

#include "arguments.hpp"

namespace cli {

/// Exit statuses, as documented in --help.
enum Status { success = 0, miss = 1, failure = 2 };

/// Runs one command; VALUE operands missing are read from `in`.
/// Throws UsageError and memcache::Error; returns the exit status otherwise.
int run_command(const Arguments& args, std::istream& in, std::ostream& out);

}  // namespace cli

#endif  // MEMCACHE_CLI_COMMANDS_HPP
