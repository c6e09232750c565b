#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into
# build-fuzz (or $BUILD_DIR) and runs each for N seconds (default 60):
#
#   scripts/fuzz.sh [seconds] [target...]     targets: reply_fuzzer request_fuzzer unpickle_fuzzer
#
# The corpus grows in build-fuzz/corpus/<target> (seeded from
# tests/fuzz/corpus/<target>); crashes, leaks and timeouts are written to
# build-fuzz/findings/<target>/ and make the script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-60}}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(reply_fuzzer request_fuzzer unpickle_fuzzer)

MEMCACHE_DEPS_EXTRA="clang libclang-rt-dev ${MEMCACHE_DEPS_EXTRA:-}" ./scripts/deps.sh
build_dir=${BUILD_DIR:-build-fuzz}
CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMEMCACHE_BUILD_FUZZERS=ON -DMEMCACHE_BUILD_TESTS=OFF -DMEMCACHE_BUILD_EXAMPLES=OFF \
  -DMEMCACHE_BUILD_BENCH=OFF -DMEMCACHE_INSTALL=OFF >/dev/null
cmake --build "$build_dir" --target "${targets[@]}"

status=0
summary=()
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  findings="$build_dir/findings/$t"
  mkdir -p "$corpus" "$findings"
  log="$build_dir/$t.log"
  echo "== $t: ${seconds} s"
  # New inputs go to the first directory; the checked-in seeds are only read.
  if ! "$build_dir/tests/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$findings/" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    status=1
    tail -n 40 "$log"
    summary+=("$t: FAILED, see $log and $findings/")
    continue
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  summary+=("$t: ok, $execs executions, $cov, corpus $(ls "$corpus" | wc -l) inputs")
done
printf '%s\n' "${summary[@]}"
exit $status
