#!/bin/sh
# Installs what is missing, builds txmath (Release) and runs the main job: the full account
# of a real model from its Hugging Face config.json.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_BUILD_TYPE=Release \
      -DTXMATH_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)"
./build/release/tools/txmath report examples/configs/llama-3-8b.json
