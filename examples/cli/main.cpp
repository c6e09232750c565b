// memcache-cli: memcached from the command line. See `memcache-cli --help`.
#include <cstdlib>
#include <iostream>

#include <memcache/memcache.hpp>

#include "arguments.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  try {
    cli::Arguments args = cli::parse_arguments(argc, argv, std::getenv("MEMCACHE_SERVERS"));
    if (args.help) {
      std::cout << cli::help_text(args.command);
      return cli::success;
    }
    return cli::run_command(args, std::cin, std::cout);
  } catch (const cli::UsageError& e) {
    std::cerr << "memcache-cli: " << e.what() << "\n";
  } catch (const memcache::Error& e) {
    std::cerr << "memcache-cli: " << e.what() << "\n";
  }
  return cli::failure;
}
