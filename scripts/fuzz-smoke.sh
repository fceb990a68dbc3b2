#!/bin/sh
# A bounded libFuzzer smoke run: builds tests/fuzz with clang++-19 (-DTXMATH_FUZZ=ON) and runs
# EVERY fuzz target it finds there (fuzz_*), each for FUZZ_SECONDS seconds (default 30), on a
# scratch copy of its seeds (tests/fuzz/corpus/<name>/, the repository's copy is never
# written) with its dictionary (tests/fuzz/<name>.dict) when there is one. Fails on the
# first crash, leak, timeout or sanitizer report; the reproducer is left in the scratch folder.
#   scripts/fuzz-smoke.sh [build dir]          FUZZ_SECONDS=60 scripts/fuzz-smoke.sh
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build/fuzz}
seconds=${FUZZ_SECONDS:-30}
jobs=$(nproc 2>/dev/null || echo 2)
root=$(pwd)
case $dir in /*) bin=$dir/tests/fuzz ;; *) bin=$root/$dir/tests/fuzz ;; esac
cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=Debug \
      -DTXMATH_FUZZ=ON -DTXMATH_BUILD_BENCHMARKS=OFF -DTXMATH_BUILD_EXAMPLES=OFF -DTXMATH_BUILD_TOOLS=OFF >/dev/null
targets=$(ls tests/fuzz/fuzz_*.cpp | sed 's|.*/||; s|\.cpp$||')
[ -n "$targets" ] || { echo "txmath: fuzz-smoke: no tests/fuzz/fuzz_*.cpp found" >&2; exit 1; }
# shellcheck disable=SC2086  # one word per target
cmake --build "$dir" -j "$jobs" --target $targets
scratch=$(mktemp -d "${TMPDIR:-/tmp}/txmath-fuzz.XXXXXX")
for t in $targets; do
  name=${t#fuzz_}
  mkdir -p "$scratch/$name"
  if [ -d "tests/fuzz/corpus/$name" ]; then cp -R "tests/fuzz/corpus/$name/." "$scratch/$name/"; fi
  dict=""
  if [ -f "tests/fuzz/$name.dict" ]; then dict="-dict=$root/tests/fuzz/$name.dict"; fi
  echo "== $t: $seconds s"
  # -timeout: one input may take at most 10 s; -rss_limit_mb bounds memory.
  # shellcheck disable=SC2086
  (cd "$scratch" && "$bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 $dict "$scratch/$name") > "$scratch/$t.log" 2>&1 || {
    tail -40 "$scratch/$t.log" >&2
    echo "txmath: fuzz-smoke: $t failed; the log and the input are in $scratch" >&2
    exit 1
  }
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$scratch/$t.log" | tail -2
done
rm -rf "$scratch"
echo "txmath: fuzz-smoke: every target ($(echo $targets | wc -w)) ran $seconds s without a finding"
