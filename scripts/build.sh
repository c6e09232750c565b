#!/usr/bin/env bash
# Configures and builds into build/ (or $BUILD_DIR) with warnings as errors:
# everything, or only the targets named in $BUILD_TARGETS (and what they need).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DMEMCACHE_WERROR=ON "$@" >/dev/null
read -r -a targets <<<"${BUILD_TARGETS:-}"
cmake --build "$build_dir" ${targets[@]+--target "${targets[@]}"}
