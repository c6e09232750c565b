#!/usr/bin/env bash
# Quick start 1: installs what is missing, builds the library and
# examples/seed_tour.cpp only (scripts/test.sh builds the rest in the same
# build directory), starts a memcached on a free local port, runs the tour
# against it, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
BUILD_TARGETS=seed_tour ./scripts/build.sh
source scripts/lib/memcached.sh
trap stop_memcached EXIT
start_memcached
echo "memcached running on 127.0.0.1:$MEMCACHED_PORT"
"${BUILD_DIR:-build}/examples/seed_tour" "127.0.0.1:$MEMCACHED_PORT"
