#!/bin/sh
# Measures what including each public header costs: the median wall time of 5 syntax-only
# compilations of a file that includes just that header, minus the same for an empty file.
# Usage: scripts/compile_time.sh [compiler]   (default g++-12)
set -eu
cd "$(dirname "$0")/.."
cxx=${1:-g++-12}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median_ms() {  # median_ms <file.cpp>
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    $cxx -std=c++20 -fsyntax-only -Iinclude "$1"
    echo $(( ($(date +%s%N) - start) / 1000000 ))
  done | sort -n | sed -n 3p
}
: > "$tmp/empty.cpp"
base=$(median_ms "$tmp/empty.cpp")
printf '%-34s %8s\n' "header ($cxx)" "ms"
for h in $(cd include && find txmath -name '*.hpp' ! -path '*/detail/*' | sort); do
  [ "$h" = txmath/boost.hpp ] && continue  # opt-in; its cost is Boost's
  echo "#include <$h>" > "$tmp/t.cpp"
  printf '%-34s %8d\n' "$h" $(( $(median_ms "$tmp/t.cpp") - base ))
done
