#ifndef MEMCACHE_DETAIL_STORE_COMMAND_HPP
#define MEMCACHE_DETAIL_STORE_COMMAND_HPP

namespace memcache::detail {

/// memcached's storage commands.
enum class StoreCommand { set, add, replace, append, prepend, cas };

/// The command's name on the wire.
constexpr const char* command_name(StoreCommand cmd) {
  switch (cmd) {
    case StoreCommand::set: return "set";
    case StoreCommand::add: return "add";
    case StoreCommand::replace: return "replace";
    case StoreCommand::append: return "append";
    case StoreCommand::prepend: return "prepend";
    case StoreCommand::cas: return "cas";
  }
  return "set";
}

}  // namespace memcache::detail

#endif  // MEMCACHE_DETAIL_STORE_COMMAND_HPP
