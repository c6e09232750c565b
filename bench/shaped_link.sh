#!/usr/bin/env bash
# Where compression starts to pay: memcache_compress_bench across a shaped link.
#
#   sudo bench/shaped_link.sh [memcache_compress_bench arguments]
#   RATE=1gbit bench/shaped_link.sh --sizes 20000 --configs raw,deflate:1
#
# Two network namespaces (mcperf-*, made and removed here) joined by a veth
# pair, each end's egress shaped by `tc tbf` to $RATE (default 100mbit, both
# directions, as a full-duplex link; this kernel has no netem, so no added
# delay), a memcached on one end and the benchmark client on the other. The
# addresses are 198.18.0.1/.2 (RFC 2544's benchmarking range), inside these
# namespaces only: no traffic leaves them. Needs root, iproute2, memcached and
# a bench build (BUILD_DIR, default build-bench). Cleans up on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-bench}
rate=${RATE:-100mbit}
bench=$build/bench/memcache_compress_bench
[[ -x $bench ]] || { echo "shaped_link: build $bench first (see docs/performance.md)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "shaped_link: needs root (ip netns)" >&2; exit 1; }

client=mcperf-cli-$$
server=mcperf-srv-$$
port=11311
cleanup() {
  ip netns pids "$server" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$client" 2>/dev/null || true
  ip netns del "$server" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ip netns add "$client"
ip netns add "$server"
ip link add mcperf-c netns "$client" type veth peer name mcperf-s netns "$server"
ip -n "$client" addr add 198.18.0.1/30 dev mcperf-c
ip -n "$server" addr add 198.18.0.2/30 dev mcperf-s
for ns in "$client" "$server"; do ip -n "$ns" link set lo up; done
ip -n "$client" link set mcperf-c up
ip -n "$server" link set mcperf-s up
tc -n "$client" qdisc add dev mcperf-c root tbf rate "$rate" burst 32kbit latency 50ms
tc -n "$server" qdisc add dev mcperf-s root tbf rate "$rate" burst 32kbit latency 50ms

ip netns exec "$server" memcached -u nobody -l 198.18.0.2 -p "$port" -U 0 -m 256 -t 2 &
for _ in $(seq 100); do
  ip netns exec "$client" bash -c "exec 3<>/dev/tcp/198.18.0.2/$port" 2>/dev/null && break
  sleep 0.1
done

echo "link: veth, tbf rate $rate burst 32kbit latency 50ms each way"
ip netns exec "$client" "$bench" --server "198.18.0.2:$port" "$@"
