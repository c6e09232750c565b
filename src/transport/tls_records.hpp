#ifndef MEMCACHE_SRC_TRANSPORT_TLS_RECORDS_HPP
#define MEMCACHE_SRC_TRANSPORT_TLS_RECORDS_HPP

#include <cstddef>

namespace memcache::detail {

/// Most plaintext bytes in one TLS record.
constexpr std::size_t tls_record_size = 16 * 1024;

/// How many of the `remaining` bytes of a write to hand to OpenSSL now, so
/// that each record ends where memcached's TLS reads cannot leave bytes
/// stranded.
///
/// memcached (1.6.18 at least) reads a value's tail straight from SSL_read,
/// exactly as many bytes as the value still needs, and then waits for the
/// socket to become readable. When the record that held that tail also held
/// the next requests, they stay decrypted inside OpenSSL, poll never fires,
/// and the connection stalls until the client times out. A write that fits
/// in one record is read whole into memcached's 16 KiB buffer and never hits
/// this; a longer one (set_multi, pipelined sets) sends its last byte in a
/// record of its own: whatever memcached leaves inside OpenSSL, that last
/// record is still on the socket to wake it up, and a one-byte record is
/// always read whole. `started`: bytes of this write went out already.
inline std::size_t tls_write_cut(std::size_t remaining, bool started) {
  if (remaining <= 1 || (!started && remaining <= tls_record_size)) return remaining;
  return remaining - 1;
}

}  // namespace memcache::detail

#endif  // MEMCACHE_SRC_TRANSPORT_TLS_RECORDS_HPP
