#ifndef MEMCACHE_SRC_SYNC_RUN_COMMAND_HPP
#define MEMCACHE_SRC_SYNC_RUN_COMMAND_HPP

#include <memcache/options.hpp>

#include "commands/command.hpp"
#include "sync/servers.hpp"

namespace memcache::detail {

/// The sync client's driver: routes `command` through one Call (connecting
/// lazily; a server that is dead or fails to connect is skipped and its keys
/// rehash, as python-memcached's _get_server does), writes every part into
/// its server's exchange, runs them all in one poll loop (servers in
/// parallel, every wait bounded by socket_timeout), and tells the command
/// which parts failed. Returns when every part is answered or failed.
void run_command(Command& command, const SyncServers& servers, const Options& options);

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_SYNC_RUN_COMMAND_HPP
