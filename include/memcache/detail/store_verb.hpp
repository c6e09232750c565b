#ifndef MEMCACHE_DETAIL_STORE_VERB_HPP
#define MEMCACHE_DETAIL_STORE_VERB_HPP

namespace memcache::detail {

/// memcached's storage commands.
enum class StoreVerb { set, add, replace, append, prepend, cas };

/// The command's name on the wire.
constexpr const char* verb_name(StoreVerb verb) {
  switch (verb) {
    case StoreVerb::set:
      return "set";
    case StoreVerb::add:
      return "add";
    case StoreVerb::replace:
      return "replace";
    case StoreVerb::append:
      return "append";
    case StoreVerb::prepend:
      return "prepend";
    case StoreVerb::cas:
      return "cas";
  }
  return "set";
}

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_STORE_VERB_HPP
