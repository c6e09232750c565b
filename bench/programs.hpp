#ifndef MEMCACHE_BENCH_PROGRAMS_HPP
#define MEMCACHE_BENCH_PROGRAMS_HPP

#include <optional>
#include <string>
#include <string_view>

namespace memcache::bench {

/// This program's own path, to run itself under valgrind.
std::string self_path();
/// A program built in the same directory as this one.
std::string sibling_path(std::string_view name);
/// `name` found in $PATH, or empty.
std::optional<std::string> find_in_path(std::string_view name);

}  // namespace memcache::bench

#endif  // MEMCACHE_BENCH_PROGRAMS_HPP
