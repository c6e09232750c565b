#include "arguments.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

namespace cli {
namespace {

struct CommandHelp {
  const char* usage;
  const char* text;
};

const std::map<std::string, CommandHelp>& commands() {
  static const std::map<std::string, CommandHelp> table{
      {"get", {"get KEY", "Prints the value of KEY (a Python pickle as JSON). Exit 0 on a hit, 1 on a miss."}},
      {"gets", {"gets KEY", "Prints \"<cas unique> <value>\" for KEY, for a later `cas --unique`."}},
      {"set", {"set KEY [VALUE]", "Stores VALUE (or standard input) under KEY. Exit 0 when stored."}},
      {"add", {"add KEY [VALUE]", "Stores only if KEY is absent. Exit 1 when it exists."}},
      {"replace", {"replace KEY [VALUE]", "Stores only if KEY is present. Exit 1 when it is absent."}},
      {"append", {"append KEY [VALUE]", "Appends to the value of an existing KEY."}},
      {"prepend", {"prepend KEY [VALUE]", "Prepends to the value of an existing KEY."}},
      {"cas", {"cas KEY [VALUE] --unique N", "Stores only if KEY still has cas unique N (from gets)."}},
      {"incr", {"incr KEY [DELTA]", "Adds DELTA (default 1) to a decimal value; prints the new value."}},
      {"decr", {"decr KEY [DELTA]", "Subtracts DELTA (default 1), flooring at 0; prints the new value."}},
      {"delete", {"delete KEY", "Deletes KEY. Exit 1 when it was absent."}},
      {"touch", {"touch KEY --ttl N", "Gives KEY a new expiry. Exit 1 when it is absent."}},
      {"stats", {"stats [ARGS]", "Prints `stats [ARGS]` of every reachable server."}},
      {"flush", {"flush", "Invalidates every item on every server (flush_all). Exit 2 unless every server confirmed."}},
      {"version", {"version", "Prints the memcached version of every reachable server."}},
  };
  return table;
}

template <class Int>
Int number(std::string_view option, std::string_view text) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError(std::string(option) + " expects a number, got \"" + std::string(text) + "\"");
  }
  return value;
}

std::vector<std::string> split_servers(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& entry : commands()) v.push_back(entry.first);
    return v;
  }();
  return names;
}

Arguments parse_arguments(int argc, char** argv, const char* servers_env) {
  Arguments args;
  if (servers_env && *servers_env) args.servers = split_servers(servers_env);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view option) -> std::string_view {
      auto eq = arg.find('=');
      if (eq != std::string_view::npos) return arg.substr(eq + 1);
      if (i + 1 >= argc) throw UsageError(std::string(option) + " needs a value");
      return argv[++i];
    };
    auto is = [&](std::string_view option) {
      return arg == option || arg.substr(0, option.size() + 1) == std::string(option) + "=";
    };
    if (arg == "--help" || arg == "-h") {
      args.help = true;
    } else if (arg == "--json") {
      args.json = true;
    } else if (is("--servers")) {
      args.servers = split_servers(value("--servers"));
    } else if (is("--ttl")) {
      args.ttl = number<std::int64_t>("--ttl", value("--ttl"));
    } else if (is("--unique")) {
      args.unique = number<std::uint64_t>("--unique", value("--unique"));
    } else if (is("--compress-over")) {
      args.min_compress_len = number<std::size_t>("--compress-over", value("--compress-over"));
    } else if (arg == "--tls") {
      args.tls = true;
    } else if (is("--tls-ca")) {
      args.tls_ca = std::string(value("--tls-ca"));
    } else if (is("--tls-cert")) {
      args.tls_cert = std::string(value("--tls-cert"));
    } else if (is("--tls-key")) {
      args.tls_key = std::string(value("--tls-key"));
    } else if (arg.size() > 1 && arg[0] == '-' && args.command.empty()) {
      throw UsageError("unknown option " + std::string(arg));
    } else if (args.command.empty()) {
      args.command = std::string(arg);
      if (commands().count(args.command) == 0) throw UsageError("unknown command \"" + args.command + "\"");
    } else {
      args.operands.emplace_back(arg);
    }
  }
  if (!args.tls && (!args.tls_ca.empty() || !args.tls_cert.empty() || !args.tls_key.empty())) {
    throw UsageError("--tls-ca, --tls-cert and --tls-key need --tls");
  }
  if (args.servers.empty()) args.servers = {"127.0.0.1:11211"};
  if (args.command.empty() && !args.help) throw UsageError("no command given (try --help)");
  return args;
}

std::string help_text(const std::string& command) {
  if (!command.empty()) {
    const CommandHelp& h = commands().at(command);
    return std::string("usage: memcache-cli [options] ") + h.usage + "\n\n" + h.text +
           "\n\noptions: --servers host:port,... (default $MEMCACHE_SERVERS or 127.0.0.1:11211)\n"
           "         --ttl SECONDS  --json  --unique N  --compress-over BYTES\n"
           "         --tls [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]\n";
  }
  std::string out =
      "usage: memcache-cli [--servers host:port,...] [--ttl N] [--json] COMMAND [KEY [VALUE]]\n"
      "       [--tls [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]]\n\n"
      "A memcached client on the command line; values and key placement match\n"
      "python-memcached. VALUE is read from standard input when omitted.\n\ncommands:\n";
  std::size_t width = 0;
  for (const auto& [name, h] : commands()) width = std::max(width, std::string_view(h.usage).size());
  for (const auto& [name, h] : commands()) {
    std::string usage = h.usage;
    usage.resize(width + 2, ' ');
    out += "  " + usage + h.text + "\n";
  }
  out +=
      "\nexit status: 0 success or hit, 1 miss or not stored, 2 error.\n"
      "TLS: --tls talks TLS to every server (memcached -Z), checking its certificate\n"
      "against --tls-ca (default: the system's trust store) and the server's name;\n"
      "--tls-cert and --tls-key present a client certificate.\n"
      "environment: MEMCACHE_SERVERS, the default server list.\n"
      "`memcache-cli COMMAND --help` describes one command.\n";
  return out;
}

}  // namespace cli
