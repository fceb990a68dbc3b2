#!/usr/bin/env bash
# Each benchmark of two builds timed in a process of its own (scripts/alternate_bench.sh on one
# benchmark at a time: A, B, A, B, ...), as a user timing one case sees it: with no other case
# run before it in the process, the heap is as small as the case leaves it between calls.
#   scripts/alone_bench.sh BIN_A BIN_B [FILTER=.] [ROUNDS=3] [MIN_TIME=0.2]
# Prints alternate_bench.sh's line for each benchmark of A that FILTER matches.
if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
  echo "usage: scripts/alone_bench.sh BIN_A BIN_B [FILTER=.] [ROUNDS=3] [MIN_TIME=0.2] (two executables)" >&2
  exit 2
fi
here=$(dirname "$0")
A=$1; B=$2; F=${3:-.}; R=${4:-3}; T=${5:-0.2}
"$A" --benchmark_list_tests --benchmark_filter="$F" | while IFS= read -r name; do
  # The name as a regular expression matching it alone.
  re="^$(printf '%s' "$name" | sed -e 's/[][\.*^$+?(){}|]/\\&/g')\$"
  "$here/alternate_bench.sh" "$A" "$B" "$re" "$R" "$T" | grep -v '^median'
done
