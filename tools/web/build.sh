#!/bin/sh
# Builds the web page into build/web (or the directory given): txmath.wasm, compiled from
# txmath_wasm.cpp and the library's headers with clang's wasm32-wasi target, and the static
# files. Needs (Debian) clang-19, lld-19, libc++-19-dev-wasm32, libc++abi-19-dev-wasm32,
# wasi-libc and libclang-rt-19-dev-wasm32 (scripts/install-deps.sh installs them).
#   ./tools/web/build.sh && ./tools/web/serve.sh     then open http://127.0.0.1:8000/
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build/web}
cxx=${TXMATH_WASM_CXX:-clang++-19}
mkdir -p "$out"
# -fno-exceptions: wasm32-wasi's libc++ has none; txmath then reports failures through its
# error handler (core/error.hpp). A reactor: no main, the page calls the exported functions.
# A 1 MiB stack: the report's activation account and lowering are constexpr objects of about
# 35 KB and 19 KB on the stack, beyond wasm-ld's 64 KiB default. -flto: link-time
# optimisation across libc++ and txmath keeps the module under 1 MB (without it, 1,051,807
# bytes after the einsum engine's speed work; with it, 916,570). TXMATH_REAL_TEXT_BY_PRINTF:
# doubles written through snprintf (core/real_text.hpp), the same text as std::to_chars,
# whose Ryu tables in libc++ were 115 KB of the module (1,072,703 bytes with them).
"$cxx" --target=wasm32-wasi -std=c++20 -Oz -flto -fno-exceptions -mexec-model=reactor -DTXMATH_REAL_TEXT_BY_PRINTF \
  -Wall -Wextra -Wpedantic -Werror -I"$root/include" -Wl,--strip-all -Wl,-z,stack-size=1048576 \
  -o "$out/txmath.wasm.tmp" "$here/txmath_wasm.cpp"
mv "$out/txmath.wasm.tmp" "$out/txmath.wasm"
cp "$here/index.html" "$here/app.js" "$here/engine.js" "$here/wasi.js" "$here/style.css" "$out/"
echo "txmath: built $out/txmath.wasm ($(wc -c < "$out/txmath.wasm") bytes) and the page in $out"
