#!/usr/bin/env bash
# Style and static checks, as CI runs them:
#   - clang-format (the checked-in .clang-format) over every C++ file: any
#     difference fails (`scripts/lint.sh --fix` rewrites the files instead);
#   - no ';' in Catch2 test names (CTest would split them and never run them);
#   - clang-tidy (the checked-in .clang-tidy) over the library's sources.
set -euo pipefail
cd "$(dirname "$0")/.."
MEMCACHE_DEPS_EXTRA="clang-format clang-tidy ${MEMCACHE_DEPS_EXTRA:-}" ./scripts/deps.sh

mapfile -t files < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/fuzz/corpus/')
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
echo "== clang-format: ${#files[@]} files"
clang-format --dry-run -Werror "${files[@]}"

# CTest splits a discovered test's name at ';' into names that match nothing:
# such a test would never run.
echo "== test names"
if grep -rnE '(TEST_CASE|SCENARIO)\(\s*"[^"]*;' tests; then
  echo "lint: a test name above holds ';' (CTest would never run it)" >&2
  exit 1
fi

build_dir=${BUILD_DIR:-build-lint}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DMEMCACHE_BUILD_TESTS=OFF \
  -DMEMCACHE_BUILD_EXAMPLES=OFF -DMEMCACHE_BUILD_BENCH=OFF >/dev/null
mapfile -t sources < <(git ls-files 'src/*.cpp')
echo "== clang-tidy: ${#sources[@]} files"
run-clang-tidy -quiet -extra-arg=-std=c++17 -p "$build_dir" -j "$(nproc)" "${sources[@]}" >"$build_dir/clang-tidy.log" 2>&1 ||
  { grep -E 'error:|warning:' "$build_dir/clang-tidy.log" | sort -u | head -50; exit 1; }
echo "lint: ok"
