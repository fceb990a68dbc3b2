#!/bin/sh
# Installs what txmath's build and tests need on Debian 12 (bookworm), if missing.
set -eu
packages="cmake ninja-build g++-12 clang-19 libclang-rt-19-dev doctest-dev libbenchmark-dev libboost1.81-dev"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
echo "txmath: installing:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
