#ifndef MEMCACHE_CLI_ARGUMENTS_HPP
#define MEMCACHE_CLI_ARGUMENTS_HPP

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

/// A command line that cannot be understood; the message is printed as is.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Arguments {
  std::vector<std::string> servers;     // --servers a,b or $MEMCACHE_SERVERS, else 127.0.0.1:11211
  std::int64_t ttl = 0;                 // --ttl
  std::size_t min_compress_len = 0;     // --compress-over
  std::optional<std::uint64_t> unique;  // --unique (cas)
  bool json = false;                    // --json
  bool help = false;                    // --help
  bool tls = false;                     // --tls: every server over TLS
  std::string tls_ca;                   // --tls-ca FILE (else the system's trust store)
  std::string tls_cert;                 // --tls-cert FILE, with --tls-key FILE: a client certificate
  std::string tls_key;
  std::string command;
  std::vector<std::string> operands;  // KEY [VALUE]
};

/// Parses argv; options may come before or after the command.
Arguments parse_arguments(int argc, char** argv, const char* servers_env);

/// Help for one command, or the overview when `command` is empty.
std::string help_text(const std::string& command);

/// Every command name.
const std::vector<std::string>& command_names();

}  // namespace cli

#endif  // MEMCACHE_CLI_ARGUMENTS_HPP
