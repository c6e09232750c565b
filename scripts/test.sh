#!/usr/bin/env bash
# Quick start 2: installs what is missing, builds, and runs the whole test
# suite (unit, integration against real memcached servers it starts itself,
# interop with python-memcached and libmemcached, package consumers).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j2 --timeout 300
