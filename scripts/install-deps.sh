#!/bin/sh
# Installs what txmath's build and tests need on Debian 12 (bookworm), if missing.
set -eu
packages="cmake ninja-build g++-12 clang-19 libclang-rt-19-dev doctest-dev libbenchmark-dev libboost1.81-dev python3"
# libc++ for the clang-19 + libc++ run; the wasm32-wasi toolchain for the web page (tools/web).
packages="$packages libc++-19-dev libc++abi-19-dev lld-19 libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 wasi-libc libclang-rt-19-dev-wasm32"
# The web page's browser test: Chromium, and Node with npm (nodesource's nodejs brings npm).
optional="chromium"
command -v node >/dev/null 2>&1 || optional="$optional nodejs"
command -v npm >/dev/null 2>&1 || optional="$optional npm"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
missing_optional=""
for p in $optional; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_optional="$missing_optional $p"
done
[ -z "$missing$missing_optional" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
if [ -n "$missing" ]; then
  echo "txmath: installing:$missing"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$missing_optional" ]; then
  echo "txmath: installing:$missing_optional"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing_optional >/dev/null ||
    echo "txmath: could not install$missing_optional: the web page's browser test will be skipped"
fi
