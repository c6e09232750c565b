#!/usr/bin/env bash
# Installs, from Debian's packages, whatever this project needs that is missing.
# Nothing else is downloaded: builds use only what these packages provide.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config         # build
  libasio-dev libfmt-dev zlib1g-dev libssl-dev  # the library
  libdeflate-dev                           # the library: zlib-format compression, several times faster than zlib
  memcached catch2                         # tests
  openssl                                  # tests/tls: the CLI makes the test certificates
  python3 python3-memcache                 # interop tests: python-memcached as a peer
  python3-pymemcache python3-flask         # interop tests (pickles), the Flask example
  nutcracker                               # tests through twemproxy (a memcached proxy)
  libmemcached-dev libbenchmark-dev        # peer in ketama tests and benchmarks
  valgrind                                 # bench/callgrind.cpp: valgrind/callgrind.h and the tool
  iproute2                                 # bench/shaped_link.sh: ip netns, tc tbf (a 100 Mbit link)
  nlohmann-json3-dev                       # examples/json_codec.cpp
  iptables iproute2                        # tests/netfaults: packet loss, blackhole, duplication (ip, tc, iptables)
)
if [[ "${MEMCACHE_DEPS_EXTRA:-}" != "" ]]; then
  read -r -a extra <<<"$MEMCACHE_DEPS_EXTRA"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
