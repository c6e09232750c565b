#include "cluster/address.hpp"

#include <charconv>

#include <fmt/format.h>

#include <memcache/error.hpp>

namespace memcache::detail {
namespace {

[[noreturn]] void bad(std::string_view spec, std::string_view why) {
  throw ServerSpecError(fmt::format("invalid memcached server \"{}\": {}", spec, why));
}

std::uint16_t parse_port(std::string_view spec, std::string_view digits) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    bad(spec, fmt::format("port \"{}\" is not a number", digits));
  }
  if (value == 0 || value > 65535) bad(spec, fmt::format("port {} is out of range 1-65535", value));
  return static_cast<std::uint16_t>(value);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// `host[:port]` where host holds no colon (python-memcached's inet regex).
Address parse_inet(std::string_view spec, std::string_view rest) {
  Address a;
  auto colon = rest.find(':');
  a.host = std::string(rest.substr(0, colon));
  if (a.host.empty()) bad(spec, "the host is empty");
  if (colon != std::string_view::npos) {
    std::string_view port = rest.substr(colon + 1);
    if (port.find(':') != std::string_view::npos) {
      bad(spec, "too many ':' (write IPv6 addresses as inet6:[addr]:port)");
    }
    a.port = parse_port(spec, port);
  }
  return a;
}

// `[addr][:port]`
Address parse_inet6(std::string_view spec, std::string_view rest) {
  Address a;
  a.family = Address::Family::inet6;
  if (rest.empty() || rest.front() != '[') bad(spec, "an IPv6 address must be written in brackets: inet6:[::1]:11211");
  auto close = rest.find(']');
  if (close == std::string_view::npos) bad(spec, "missing ']'");
  a.host = std::string(rest.substr(1, close - 1));
  if (a.host.empty() || a.host.find('[') != std::string::npos) bad(spec, "the IPv6 address is empty or malformed");
  std::string_view after = rest.substr(close + 1);
  if (!after.empty()) {
    if (after.front() != ':') bad(spec, "expected ':port' after ']'");
    a.port = parse_port(spec, after.substr(1));
  }
  return a;
}

}  // namespace

Address parse_address(std::string_view spec) {
  if (spec.empty()) bad(spec, "the server string is empty");
  if (starts_with(spec, "unix:")) {
    Address a;
    a.family = Address::Family::unix_socket;
    a.path = std::string(spec.substr(5));
    if (a.path.empty()) bad(spec, "the socket path is empty");
    return a;
  }
  if (starts_with(spec, "inet6:")) return parse_inet6(spec, spec.substr(6));
  if (starts_with(spec, "inet:")) return parse_inet(spec, spec.substr(5));
  if (spec.front() == '[') return parse_inet6(spec, spec);
  return parse_inet(spec, spec);
}

std::string Address::to_string() const {
  switch (family) {
    case Family::inet:
      return fmt::format("inet:{}:{}", host, port);
    case Family::inet6:
      return fmt::format("inet6:[{}]:{}", host, port);
    case Family::unix_socket:
      return fmt::format("unix:{}", path);
  }
  return {};
}

std::string Address::stats_name(unsigned weight) const {
  switch (family) {
    case Family::inet:
      return fmt::format("{}:{} ({})", host, port, weight);
    case Family::inet6:
      return fmt::format("[{}]:{} ({})", host, port, weight);
    case Family::unix_socket:
      return fmt::format("unix:{} ({})", path, weight);
  }
  return {};
}

}  // namespace memcache::detail
