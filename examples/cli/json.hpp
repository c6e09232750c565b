#ifndef MEMCACHE_CLI_JSON_HPP
#define MEMCACHE_CLI_JSON_HPP

#include <string>
#include <string_view>

namespace cli {

/// `s` as a JSON string literal, quotes included.
std::string json_string(std::string_view s);

}  // namespace cli

#endif  // MEMCACHE_CLI_JSON_HPP
