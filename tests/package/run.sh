#!/usr/bin/env bash
# Builds tests/package/consumer (a sync Client program and an AsyncClient one)
# the way a user would, runs both against a real memcached, and checks each
# prints exactly what python-memcached prints for the same calls.
#   run.sh <mode> <memcache build dir> <work dir>
# Modes:
#   find_package, add_subdirectory, pkg-config   the three ways README describes
#   conan_recipe, vcpkg_port   the library configured, built and installed as
#       `conan create` / `vcpkg install` would (conan and vcpkg themselves
#       are not installable here): from a copy holding only the recipe's
#       exports_sources (the port builds the checkout), with exactly the
#       cache variables they pass (check_recipes.py reads them), against an
#       Asio package (asio::asio) of their own beside the system one; then
#       the consumers through find_package, which must compile against that
#       Asio, and for Conan the recipe's test_package too.
set -euo pipefail
mode=$1
build_dir=$(cd "$2" && pwd)
work=$3
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"

# A package manager's Asio: a copy of the system headers in a prefix of its
# own, found as asio::asio through asio-config.cmake (as Conan's CMakeDeps
# and vcpkg's port provide it).
make_asio_package() {
  local dir=$work/asio
  mkdir -p "$dir/include"
  local system_include
  system_include=$(dirname "$(echo '#include <asio.hpp>' | c++ -x c++ -E -M - | grep -o '[^ ]*/asio\.hpp' | head -n 1)")
  cp -r "$system_include/asio.hpp" "$system_include/asio" "$dir/include/"
  cat >"$dir/asio-config.cmake" <<'EOF'
if(NOT TARGET asio::asio)
  add_library(asio::asio INTERFACE IMPORTED)
  set_target_properties(asio::asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_LIST_DIR}/include"
    INTERFACE_COMPILE_DEFINITIONS ASIO_STANDALONE)
endif()
EOF
}

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
  conan_recipe | vcpkg_port)
    kind=${mode%%_*}
    if [[ $kind == conan ]]; then
      library_source=$work/exports
      /usr/bin/python3 "$here/check_recipes.py" "$source_dir" copy-exports "$library_source"
    else
      library_source=$source_dir
    fi
    mapfile -t recipe_args < <(/usr/bin/python3 "$here/check_recipes.py" "$source_dir" cmake-args "$kind")
    echo "$mode: ${recipe_args[*]}"
    make_asio_package
    cmake -S "$library_source" -B "$work/library" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_PREFIX_PATH="$work/asio" "${recipe_args[@]}" >/dev/null
    # pkg_check_modules(LIBMEMCACHED ...) ran: the benchmarks or the ketama tests.
    if grep -q '^LIBMEMCACHED' "$work/library/CMakeCache.txt" || grep -qi libmemcached "$work/library/build.ninja"; then
      echo "$mode: the library's build uses libmemcached (the benchmarks or tests are on)" >&2
      exit 1
    fi
    cmake --build "$work/library" >/dev/null
    cmake --install "$work/library" --prefix "$work/prefix" >/dev/null
    consumer_args=(-DMEMCACHE_CONSUME=find_package -DCMAKE_PREFIX_PATH="$work/prefix;$work/asio")
    if [[ $kind == conan ]]; then
      cmake -S "$source_dir/test_package" -B "$work/test_package" -G Ninja "${consumer_args[@]:1}" >/dev/null
      cmake --build "$work/test_package" >/dev/null
      "$work/test_package/test_package"
    fi
    ;;
  *)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
cmake -S "$here/consumer" -B "$work/consumer" -G Ninja "${consumer_args[@]}" >/dev/null
cmake --build "$work/consumer" >/dev/null

if [[ -d $work/asio ]]; then
  # The async consumer must have compiled against the package's Asio, not the
  # system's: the headers its object was built from, as ninja recorded them.
  used=$(ninja -C "$work/consumer" -t deps CMakeFiles/async_consumer.dir/async_main.cpp.o | grep '/asio/' || true)
  if ! grep -q "^ *$work/asio/include/asio/" <<<"$used" || grep -v "$work/asio/include/" <<<"$used" | grep -q .; then
    echo "$mode: the async consumer did not compile against the package's Asio ($work/asio):" >&2
    head -n 5 <<<"$used" >&2
    exit 1
  fi
fi

source "$source_dir/scripts/lib/memcached.sh"
trap stop_memcached EXIT
start_memcached
/usr/bin/python3 "$here/consumer/same_calls.py" "127.0.0.1:$MEMCACHED_PORT" >"$work/python.txt"
for program in consumer async_consumer; do
  "$work/consumer/$program" "127.0.0.1:$MEMCACHED_PORT" >"$work/$program.txt"
  if ! diff -u "$work/python.txt" "$work/$program.txt"; then
    echo "$program ($mode) differs from python-memcached" >&2
    exit 1
  fi
done
echo "consumer and async_consumer ($mode): $(wc -l <"$work/python.txt") results each, identical to python-memcached"
