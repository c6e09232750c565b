#ifndef MEMCACHE_MEMCACHE_HPP
#define MEMCACHE_MEMCACHE_HPP

// The umbrella header: everything a user needs.
#include <memcache/client.hpp>
#include <memcache/codec.hpp>
#include <memcache/error.hpp>
#include <memcache/expiry.hpp>
#include <memcache/key.hpp>
#include <memcache/options.hpp>
#include <memcache/python.hpp>
#include <memcache/server.hpp>
#include <memcache/tls_options.hpp>
#include <memcache/value.hpp>
#include <memcache/version.hpp>

#endif  // MEMCACHE_MEMCACHE_HPP
