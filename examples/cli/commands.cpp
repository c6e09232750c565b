#include "commands.hpp"

#include <charconv>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <memcache/memcache.hpp>
#include <memcache/python.hpp>

#include "json.hpp"

namespace cli {
namespace {

const std::string& key_of(const Arguments& args) {
  if (args.operands.empty()) throw UsageError(args.command + " needs a KEY");
  return args.operands[0];
}

std::string value_of(const Arguments& args, std::istream& in) {
  if (args.operands.size() > 2) throw UsageError(args.command + " takes KEY [VALUE]");
  if (args.operands.size() == 2) return args.operands[1];
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Over TLS, why the first server failed (the client's debug log): a refused
// certificate is worth saying.
std::shared_ptr<std::string> tls_failure = std::make_shared<std::string>();

// A miss or refusal may also mean nobody answered: that is an error, not a miss.
int miss_or_unreachable(memcache::Client& mc, const Arguments& args) {
  if (mc.get_stats().empty()) {
    std::string list;
    for (const auto& s : args.servers) list += (list.empty() ? "" : ",") + s;
    std::string why = tls_failure->empty() ? "" : " (" + *tls_failure + ")";
    throw memcache::Error("no memcached server reachable at " + list + why);
  }
  return miss;
}

memcache::Options options_of(const Arguments& args) {
  memcache::Options o;
  if (!args.tls) return o;
  o.tls.enabled = true;
  o.tls.ca_file = args.tls_ca;
  o.tls.cert_file = args.tls_cert;
  o.tls.key_file = args.tls_key;
  o.debug = true;
  o.log = [why = tls_failure](std::string_view message) {
    if (why->empty()) why->assign(message);
  };
  return o;
}

// The value as text when its flags say it is a string or a number, else raw.
std::string printable(const memcache::Value& v) {
  try {
    return v.as<std::string>();
  } catch (const memcache::ValueError&) {
    return v.bytes();
  }
}

// A Python pickle (flag 1, as python-memcached stores dicts, lists, floats,
// bools...) as JSON, or as Python's repr when JSON cannot hold it (bytes,
// sets); nothing when the value is no pickle.
struct PythonText {
  std::string text;
  bool is_json = false;
};
std::optional<PythonText> python_text(const memcache::Value& v) {
  if (!(v.flags() & memcache::flags::pickle)) return std::nullopt;
  try {
    const auto py = v.as<memcache::PyValue>();
    try {
      return PythonText{py.to_json(), true};
    } catch (const memcache::ValueError&) {
      return PythonText{py.repr(), false};
    }
  } catch (const memcache::ValueError&) {
    return std::nullopt;  // not a pickle we read: shown raw
  }
}

int report_bool(memcache::Client& mc, const Arguments& args, std::ostream& out, bool ok, const char* yes,
                const char* no) {
  if (args.json) {
    out << "{\"command\":" << json_string(args.command) << ",\"ok\":" << (ok ? "true" : "false") << "}\n";
  } else {
    out << (ok ? yes : no) << "\n";
  }
  return ok ? success : miss_or_unreachable(mc, args);
}

int get(memcache::Client& mc, const Arguments& args, std::ostream& out, bool with_cas) {
  const std::string& key = key_of(args);
  std::optional<memcache::CasValue<memcache::Value>> found;
  if (with_cas) {
    found = mc.gets_cas<memcache::Value>(key);
  } else if (auto v = mc.get<memcache::Value>(key)) {
    found = memcache::CasValue<memcache::Value>{std::move(*v), 0};
  }
  if (!found) {
    if (args.json) out << "{\"key\":" << json_string(key) << ",\"hit\":false}\n";
    return miss_or_unreachable(mc, args);
  }
  const auto python = python_text(found->value);
  const std::string text = python ? python->text : printable(found->value);
  if (args.json) {
    out << "{\"key\":" << json_string(key)
        << ",\"hit\":true,\"value\":" << (python && python->is_json ? text : json_string(text))
        << ",\"flags\":" << found->value.flags();
    if (with_cas) out << ",\"cas\":" << found->cas_unique;
    out << "}\n";
  } else {
    if (with_cas) out << found->cas_unique << " ";
    out << text << "\n";
  }
  return success;
}

int store(memcache::Client& mc, const Arguments& args, std::istream& in, std::ostream& out) {
  const std::string& key = key_of(args);
  const std::string value = value_of(args, in);
  const memcache::Expiry ttl(args.ttl);
  const std::size_t mcl = args.min_compress_len;
  const std::string& c = args.command;
  bool ok = false;
  if (c == "set") ok = mc.set(key, value, ttl, mcl);
  if (c == "add") ok = mc.add(key, value, ttl, mcl);
  if (c == "replace") ok = mc.replace(key, value, ttl, mcl);
  if (c == "append") ok = mc.append(key, value, ttl, mcl);
  if (c == "prepend") ok = mc.prepend(key, value, ttl, mcl);
  if (c == "cas") {
    if (!args.unique) throw UsageError("cas needs --unique N (from gets)");
    ok = mc.cas_with(key, value, *args.unique, ttl, mcl);
  }
  return report_bool(mc, args, out, ok, "STORED", "NOT_STORED");
}

int arith(memcache::Client& mc, const Arguments& args, std::ostream& out) {
  const std::string& key = key_of(args);
  std::uint64_t delta = 1;
  if (args.operands.size() > 2) throw UsageError(args.command + " takes KEY [DELTA]");
  if (args.operands.size() == 2) {
    const std::string& d = args.operands[1];
    auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), delta);
    if (d.empty() || ec != std::errc() || end != d.data() + d.size()) {
      throw UsageError("DELTA must be a non-negative integer, got \"" + d + "\"");
    }
  }
  auto result = args.command == "incr" ? mc.incr(key, delta) : mc.decr(key, delta);
  if (!result) {
    if (args.json)
      out << "{\"key\":" << json_string(key) << ",\"hit\":false}\n";
    else
      out << "NOT_FOUND\n";
    return miss_or_unreachable(mc, args);
  }
  if (args.json)
    out << "{\"key\":" << json_string(key) << ",\"hit\":true,\"value\":" << *result << "}\n";
  else
    out << *result << "\n";
  return success;
}

int stats(memcache::Client& mc, const Arguments& args, std::ostream& out, bool version_only) {
  std::string stat_args;
  for (const auto& op : args.operands) stat_args += (stat_args.empty() ? "" : " ") + op;
  auto all = mc.get_stats(version_only ? "" : stat_args);
  if (all.empty()) return miss_or_unreachable(mc, args);
  if (args.json) out << "{";
  bool first_server = true;
  for (const auto& [server, map] : all) {
    if (args.json) {
      out << (first_server ? "" : ",") << json_string(server) << ":";
      if (version_only) {
        auto it = map.find("version");
        out << json_string(it == map.end() ? "" : it->second);
      } else {
        out << "{";
        bool first = true;
        for (const auto& [k, v] : map) {
          out << (first ? "" : ",") << json_string(k) << ":" << json_string(v);
          first = false;
        }
        out << "}";
      }
    } else if (version_only) {
      auto it = map.find("version");
      out << server << " " << (it == map.end() ? "?" : it->second) << "\n";
    } else {
      out << server << "\n";
      for (const auto& [k, v] : map) out << "  " << k << " " << v << "\n";
    }
    first_server = false;
  }
  if (args.json) out << "}\n";
  return success;
}

}  // namespace

int run_command(const Arguments& args, std::istream& in, std::ostream& out) {
  memcache::Client mc(std::vector<memcache::Server>(args.servers.begin(), args.servers.end()), options_of(args));
  const std::string& c = args.command;
  if (c == "get" || c == "gets") return get(mc, args, out, c == "gets");
  if (c == "set" || c == "add" || c == "replace" || c == "append" || c == "prepend" || c == "cas") {
    return store(mc, args, in, out);
  }
  if (c == "incr" || c == "decr") return arith(mc, args, out);
  if (c == "delete") return report_bool(mc, args, out, mc.del(key_of(args)), "DELETED", "NOT_FOUND");
  if (c == "touch") return report_bool(mc, args, out, mc.touch(key_of(args), args.ttl), "TOUCHED", "NOT_FOUND");
  if (c == "stats" || c == "version") return stats(mc, args, out, c == "version");
  if (c == "flush") {
    if (mc.get_stats().empty()) return miss_or_unreachable(mc, args);
    // Some servers flushed and others not is a failure: the cache is not empty.
    const bool all = mc.flush_all();
    if (args.json) {
      out << "{\"command\":\"flush\",\"ok\":" << (all ? "true" : "false") << "}\n";
    } else {
      out << (all ? "OK" : "NOT FLUSHED: a server did not confirm") << "\n";
    }
    return all ? success : failure;
  }
  throw UsageError("unknown command \"" + c + "\"");
}

}  // namespace cli
