#!/bin/sh
# Serves the built page (tools/web/build.sh) on http://127.0.0.1:${PORT:-8000}/ : static files
# only, so any static server will do.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build/web}
[ -f "$dir/txmath.wasm" ] || { echo "txmath: $dir/txmath.wasm is missing: run ./tools/web/build.sh first" >&2; exit 1; }
echo "txmath: serving $dir on http://127.0.0.1:${PORT:-8000}/"
exec python3 -m http.server "${PORT:-8000}" --bind 127.0.0.1 --directory "$dir"
