// web_cache: GET /user/<id> from a slow database, cached aside in memcached;
// GET /profile/<id>: profiles cached as Python dicts, shared with flask_app.py.
//
//   web_cache --servers 127.0.0.1:11211[,host:port...] [--port 8080] [--ttl 60]
//
// Prints "listening on 127.0.0.1:<port>" (--port 0 picks a free port), then
// serves until SIGINT or SIGTERM. Replies carry X-Cache: HIT or MISS.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>

#include <memcache/memcache.hpp>

#include "http.hpp"
#include "profile_cache.hpp"
#include "server.hpp"
#include "user_cache.hpp"

namespace {

struct Config {
  std::vector<memcache::Server> servers;
  std::uint16_t port = 8080;
  std::chrono::seconds ttl{60};
};

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A whole number no larger than `max`.
std::optional<long> to_number(std::string_view text, long max) {
  if (!all_digits(text) || text.size() > 9) return std::nullopt;
  long n = std::stol(std::string(text));
  if (n > max) return std::nullopt;
  return n;
}

std::vector<memcache::Server> split_servers(std::string_view list) {
  std::vector<memcache::Server> servers;
  for (std::size_t start = 0; start <= list.size();) {
    auto end = std::min(list.find(',', start), list.size());
    servers.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return servers;
}

std::optional<Config> parse_arguments(int argc, char** argv) {
  if (argc % 2 == 0) return std::nullopt;  // every option takes a value
  Config config;
  for (int i = 1; i < argc; i += 2) {
    std::string_view name = argv[i];
    std::string_view value = argv[i + 1];
    if (name == "--servers") {
      config.servers = split_servers(value);
    } else if (name == "--port") {
      auto port = to_number(value, 65535);
      if (!port) return std::nullopt;
      config.port = static_cast<std::uint16_t>(*port);
    } else if (name == "--ttl") {
      auto ttl = to_number(value, 30 * 24 * 3600);
      if (!ttl) return std::nullopt;
      config.ttl = std::chrono::seconds(*ttl);
    } else {
      return std::nullopt;
    }
  }
  if (config.servers.empty()) return std::nullopt;
  return config;
}

// Ids are digits: anything else is not a user, and can never make a key
// memcached would reject.
bool is_user_id(std::string_view id) { return all_digits(id) && id.size() <= 20; }

web_cache::Response route(const web_cache::Request& request, memcache::Client& mc, std::chrono::seconds ttl) {
  constexpr std::string_view prefix = "/user/";
  constexpr std::string_view profiles = "/profile/";
  std::string_view path = request.path;
  if (path.substr(0, profiles.size()) == profiles && is_user_id(path.substr(profiles.size())) &&
      path.size() - profiles.size() <= 18) {
    if (request.method != "GET") return web_cache::error_response(405);
    auto profile = web_cache::find_profile(mc, path.substr(profiles.size()), ttl);
    return {200, std::move(profile.json), {{"X-Cache", profile.hit ? "HIT" : "MISS"}}};
  }
  if (path.substr(0, prefix.size()) != prefix || !is_user_id(path.substr(prefix.size()))) {
    return web_cache::error_response(404);
  }
  if (request.method != "GET") return web_cache::error_response(405);
  auto user = web_cache::find_user(mc, path.substr(prefix.size()), ttl);
  return {200, std::move(user.json), {{"X-Cache", user.hit ? "HIT" : "MISS"}}};
}

}  // namespace

int main(int argc, char** argv) {
  auto config = parse_arguments(argc, argv);
  if (!config) {
    std::cerr << "usage: web_cache --servers host:port[,host:port...] [--port N] [--ttl SECONDS]\n";
    return 2;
  }
  try {
    // A cache slower than the database is worse than none: give up quickly
    // and let find_user fall back to the database.
    memcache::Options options;
    options.connect_timeout = std::chrono::milliseconds(250);
    options.socket_timeout = std::chrono::milliseconds(250);
    memcache::Client mc(config->servers, options);  // thread-safe; one per process

    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), config->port});
    // Flushed at once: whoever started us (a test, a script) waits for this line.
    std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](std::error_code, int) { io.stop(); });
    web_cache::serve(acceptor,
                     [&mc, ttl = config->ttl](const web_cache::Request& request) { return route(request, mc, ttl); });
    io.run();
  } catch (const std::exception& e) {  // e.g. the port is taken
    std::cerr << "web_cache: " << e.what() << "\n";
    return 1;
  }
}
