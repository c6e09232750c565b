// The calls of main.cpp through memcache::AsyncClient (C++17 callbacks, one
// call at a time), printing the same lines; the test diffs them with
// python-memcached's. Its header includes Asio: building this checks that the
// package brings Asio's include directory and the library's definitions.
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <asio/io_context.hpp>

#include <memcache/async_client.hpp>

namespace {
std::string py(bool b) { return b ? "True" : "False"; }
std::string py(const std::optional<std::string>& s) { return s ? "b'" + *s + "'" : "None"; }
std::string py(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "None"; }
std::string py(const std::unordered_map<std::string, std::string>& m) {
  std::map<std::string, std::string> sorted(m.begin(), m.end());
  std::string out = "{";
  for (const auto& [k, v] : sorted) out += (out.size() > 1 ? ", '" : "'") + k + "': b'" + v + "'";
  return out + "}";
}

// Starts one call with a callback and runs the io_context until it completes;
// an error is thrown.
template <class R, class Start>
R complete(asio::io_context& io, Start start) {
  std::optional<R> result;
  std::error_code error;
  start([&](std::error_code ec, R r) {
    error = ec;
    result = std::move(r);
  });
  io.restart();
  io.run();
  if (error) throw std::system_error(error);
  if (!result) throw std::runtime_error("the call never completed");
  return std::move(*result);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: async_consumer host:port\n";
    return 2;
  }
  using Opt = std::optional<std::string>;
  using Num = std::optional<std::uint64_t>;
  using Map = std::unordered_map<std::string, std::string>;
  using Keys = std::vector<std::string>;
  asio::io_context io;
  memcache::AsyncClient mc(io, {argv[1]});
  complete<bool>(io, [&](auto done) { mc.async_flush_all(done); });
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_set("user_001", "alice", 300, done); })) << "\n";
  std::cout << py(complete<Opt>(io, [&](auto done) { mc.async_get("user_001", done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_add("user_001", "bob", done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_replace("user_001", "carol", done); })) << "\n";
  std::cout << py(complete<Opt>(io, [&](auto done) { mc.async_get("user_001", done); })) << "\n";
  const std::map<std::string, std::string> items{{"a", "1"}, {"b", "2"}};
  std::cout << py(complete<Keys>(io, [&](auto done) { mc.async_set_multi(items, 60, "p:", done); }).empty()) << "\n";
  std::cout << py(complete<Map>(io, [&](auto done) { mc.async_get_multi(Keys{"a", "b", "c"}, "p:", done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_add("n", 10, done); })) << "\n";
  std::cout << py(complete<Num>(io, [&](auto done) { mc.async_incr("n", 5, done); })) << "\n";
  std::cout << py(complete<Num>(io, [&](auto done) { mc.async_decr("n", 100, done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_append("user_001", "!", done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_prepend("user_001", "*", done); })) << "\n";
  std::cout << py(complete<Opt>(io, [&](auto done) { mc.async_get("user_001", done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_del("user_001", done); })) << "\n";
  std::cout << py(complete<Opt>(io, [&](auto done) { mc.async_get("user_001", done); })) << "\n";
  std::cout << py(complete<Num>(io, [&](auto done) { mc.async_incr("missing", done); })) << "\n";
  std::cout << py(complete<bool>(io, [&](auto done) { mc.async_delete_multi(Keys{"a", "b"}, 0, "p:", done); })) << "\n";
  std::cout << py(complete<Map>(io, [&](auto done) { mc.async_get_multi(Keys{"a", "b"}, "p:", done); })) << "\n";
  try {
    complete<bool>(io, [&](auto done) { mc.async_set("bad key", "x", done); });
    std::cout << "no error\n";
  } catch (const std::system_error& e) {
    std::cout << (e.code() == memcache::make_error_code(memcache::errc::bad_key) ? "MemcachedKeyCharacterError"
                                                                                 : e.what())
              << "\n";
  }
  return 0;
}
