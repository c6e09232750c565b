#!/usr/bin/env bash
# Quick start 1: installs what is missing, builds, starts a memcached on a free
# local port, runs examples/seed_tour.cpp against it, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh
source scripts/lib/memcached.sh
trap stop_memcached EXIT
start_memcached
echo "memcached running on 127.0.0.1:$MEMCACHED_PORT"
"${BUILD_DIR:-build}/examples/seed_tour" "127.0.0.1:$MEMCACHED_PORT"
