#!/usr/bin/env bash
# Builds tests/package/consumer the way a user would (find_package from an
# install tree, add_subdirectory, or pkg-config), runs it against a real
# memcached, and checks it prints exactly what python-memcached prints for the
# same calls.
#   run.sh <mode> <memcache build dir> <work dir>
set -euo pipefail
mode=$1
build_dir=$(cd "$2" && pwd)
work=$3
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"

consumer_args=(-DMEMCACHE_CONSUME="$mode")
case "$mode" in
  find_package)
    cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
    consumer_args+=(-DCMAKE_PREFIX_PATH="$work/prefix")
    ;;
  add_subdirectory)
    consumer_args+=(-DMEMCACHE_SOURCE_DIR="$source_dir")
    ;;
  pkg-config)
    cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
    export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
    ;;
  conan_test_package)
    # The Conan recipe's test_package, built with find_package against the
    # installed tree (conan itself is not available here).
    cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
    cmake -S "$source_dir/test_package" -B "$work/test_package" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
    cmake --build "$work/test_package" >/dev/null
    exec "$work/test_package/test_package"
    ;;
esac
cmake -S "$here/consumer" -B "$work/consumer" -G Ninja "${consumer_args[@]}" >/dev/null
cmake --build "$work/consumer" >/dev/null

source "$source_dir/scripts/lib/memcached.sh"
trap stop_memcached EXIT
start_memcached
"$work/consumer/consumer" "127.0.0.1:$MEMCACHED_PORT" >"$work/cpp.txt"
/usr/bin/python3 "$here/consumer/same_calls.py" "127.0.0.1:$MEMCACHED_PORT" >"$work/python.txt"
if ! diff -u "$work/python.txt" "$work/cpp.txt"; then
  echo "consumer ($mode) differs from python-memcached" >&2
  exit 1
fi
echo "consumer ($mode): $(wc -l <"$work/cpp.txt") results identical to python-memcached"
