#!/bin/sh
# Builds txmath and runs every test three times, all with -Wall -Wextra -Wpedantic -Werror:
# g++-12 optimised (Release: the optimiser's warnings are errors too) with libstdc++;
# clang-19 (Debug) with libc++ (LLVM's standard library, macOS's default); and clang-19 with
# AddressSanitizer + UndefinedBehaviorSanitizer and libstdc++. Then a bounded libFuzzer run of
# every fuzz target (scripts/fuzz-smoke.sh) and the web page (tools/web) in headless Chromium.
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
# clang-19 + libc++: tests, examples and the tool (Google Benchmark is built against libstdc++,
# and the g++ run builds the web page).
run build/test-clang clang++-19 Debug -DTXMATH_CROSS_COMPILER_TESTS=OFF -DCMAKE_CXX_FLAGS=-stdlib=libc++ -DCMAKE_EXE_LINKER_FLAGS=-stdlib=libc++ \
    -DTXMATH_BUILD_BENCHMARKS=OFF -DTXMATH_BUILD_WEB=OFF
# clang-19 + ASan/UBSan + libstdc++: the tests (the compile-only checks ran in the two builds
# above) and the benchmarks compiled (not run) with clang.
run build/test-asan clang++-19 Debug -DTXMATH_CROSS_COMPILER_TESTS=OFF -DTXMATH_SANITIZE=ON -DTXMATH_COMPILE_CHECKS=OFF \
    -DTXMATH_BUILD_EXAMPLES=OFF -DTXMATH_BUILD_TOOLS=OFF
# Every libFuzzer target in tests/fuzz, ~30 s each (FUZZ_SECONDS overrides).
./scripts/fuzz-smoke.sh build/test-fuzz
# The web page in headless Chromium, checked against the g++ build's CLI; screenshot in build/test-gcc/web.
./tools/web/test.sh build/test-gcc/tools/txmath build/test-gcc/web
echo "txmath: all tests passed with g++-12, clang++-19 + libc++, clang++-19 + ASan/UBSan, fuzz targets, and the web page in Chromium"
