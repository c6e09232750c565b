#ifndef MEMCACHE_TESTS_INTEROP_PEER_HPP
#define MEMCACHE_TESTS_INTEROP_PEER_HPP

// Drives python-memcached (tests/interop/peer.py, run by Debian's
// /usr/bin/python3) from the C++ tests: ops go out as JSON on its stdin, results
// come back as JSON on its stdout. Keys and bytes travel hex-encoded.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <memcache/server.hpp>

namespace memcache::interop {

// -- a small JSON reader, enough for peer.py's output --------------------------

struct Json {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;  // a string's value, or a number's digits as written
  std::vector<Json> items;
  std::vector<std::string> names;  // object member names, parallel to items

  static Json parse(std::string_view in);

  bool is_null() const { return kind == Kind::null; }
  /// Object member; throws when absent.
  const Json& operator[](std::string_view name) const;
  const Json& operator[](std::size_t i) const { return items.at(i); }
  std::size_t size() const { return items.size(); }
  const std::string& str() const;
  bool as_bool() const;
  long long as_int() const;
};

// -- hex, as peer.py's keys and bytes travel ------------------------------------

std::string to_hex(std::string_view bytes);
std::string from_hex(std::string_view hex);

/// A JSON string literal (quoted, escaped) for ASCII text.
std::string quote(std::string_view ascii);

// -- values as python-memcached sees them ----------------------------------------

/// A value on the Python side: its Python type ("bytes", "str", "int", ...)
/// and its bytes (UTF-8 for str, decimal digits for int).
struct PyValue {
  std::string type;
  std::string bytes;
  long long chars = -1;  // len() of a str, in code points

  static PyValue py_bytes(std::string b) { return {"bytes", std::move(b)}; }
  static PyValue py_str(std::string utf8) { return {"str", std::move(utf8)}; }
  static PyValue py_int(long long n) { return {"int", std::to_string(n)}; }
  static PyValue py_int(std::string decimal) { return {"int", std::move(decimal)}; }

  std::string to_json() const;
  static PyValue from_json(const Json& j);

  friend bool operator==(const PyValue& a, const PyValue& b) { return a.type == b.type && a.bytes == b.bytes; }
};

std::ostream& operator<<(std::ostream& os, const PyValue& v);

/// Ops for peer.py, each built as one JSON object.
namespace op {
std::string info();
std::string hash(std::string_view key);
std::string set(std::string_view key, const PyValue& value, std::size_t min_compress_len = 0);
std::string get(std::string_view key);
std::string set_multi(const std::vector<std::pair<std::string, PyValue>>& items, std::string_view key_prefix = "",
                      std::size_t min_compress_len = 0);
std::string get_multi(const std::vector<std::string>& keys, std::string_view key_prefix = "");
/// python-memcached's own server choice (`_get_server`) for each key.
std::string where(const std::vector<std::string>& keys, std::string_view key_prefix = "");
/// Which keys each server holds, asked of each server alone; servers in
/// `skip` are not asked.
std::string probe(const std::vector<std::string>& keys, std::string_view key_prefix = "",
                  const std::vector<std::size_t>& skip = {});
std::string flush_all();
/// Sets python-memcached's server_max_value_length for the ops after it.
std::string limit(std::size_t server_max_value_length);
}  // namespace op

/// The interpreter: $MEMCACHE_INTEROP_PYTHON, else the build's
/// MEMCACHE_INTEROP_PYTHON (default /usr/bin/python3).
std::string python_interpreter();

/// Runs peer.py once (a fresh python-memcached Client on `servers`) with
/// `ops`; returns one result per op. Throws when the peer fails.
std::vector<Json> run_peer(const std::vector<Server>& servers, const std::vector<std::string>& ops,
                           int dead_retry = 30);

/// Runs `script` with the interpreter, `input` on its stdin; returns its
/// stdout. Throws when it fails.
std::string run_python(const std::string& script, const std::string& input);

// -- convenience over run_peer -------------------------------------------------

/// key -> value, as python-memcached's get_multi returned it.
std::map<std::string, PyValue> items_of(const Json& get_multi_result);
/// key -> index of the one server holding it, from a probe result; keys held
/// by several servers are counted in `duplicates`.
std::map<std::string, std::size_t> placement_of(const Json& probe_result, std::size_t* duplicates = nullptr);

}  // namespace memcache::interop

#endif  // MEMCACHE_TESTS_INTEROP_PEER_HPP
