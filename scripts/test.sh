#!/bin/sh
# Builds txmath and runs every test three times: g++-12 optimised (Release: the optimiser's
# warnings are errors too), clang-19 (Debug), and clang-19 with AddressSanitizer +
# UndefinedBehaviorSanitizer. All with -Wall -Wextra -Wpedantic -Werror. Then a bounded
# libFuzzer run of every fuzz target (scripts/fuzz-smoke.sh).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
run() {  # run <build dir> <compiler> <build type> [cmake options...]
  dir=$1; cxx=$2; type=$3; shift 3
  echo "== $dir: $cxx $type $*"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE="$type" \
        -DTXMATH_BUILD_BENCHMARKS=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure
}
run build/test-gcc g++-12 Release
run build/test-clang clang++-19 Debug
run build/test-asan clang++-19 Debug -DTXMATH_SANITIZE=ON -DTXMATH_BUILD_BENCHMARKS=OFF -DTXMATH_BUILD_EXAMPLES=OFF -DTXMATH_BUILD_TOOLS=OFF
# Every libFuzzer target in tests/fuzz, ~45 s each (FUZZ_SECONDS overrides).
./scripts/fuzz-smoke.sh build/test-fuzz
echo "txmath: all tests passed with g++-12, clang++-19 and clang++-19 + ASan/UBSan; fuzz targets ran clean"
