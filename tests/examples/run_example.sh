#!/usr/bin/env bash
# Runs an example program against a fresh memcached on a free port; with an
# expected-output file, the output must match it exactly.
#   run_example.sh <program> [expected output]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../scripts/lib/memcached.sh"
trap stop_memcached EXIT
start_memcached
output=$("$1" "127.0.0.1:$MEMCACHED_PORT")
echo "$output"
if [[ $# -ge 2 ]]; then
  diff -u "$2" <(echo "$output")
fi
