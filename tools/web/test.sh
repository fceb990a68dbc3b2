#!/bin/sh
# The web page's tests: the engine under Node, then the page in headless Chromium (Debian's
# chromium, driven by playwright-core from npm) against a local static server, checked
# against the txmath CLI. Leaves a screenshot in the page's directory.
#   ./tools/web/test.sh <path to the txmath CLI> [page directory, default build/web]
# Builds the page into that directory first if it has no txmath.wasm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=${1:?usage: tools/web/test.sh <path to the txmath CLI> [page directory]}
out=${2:-$here/../../build/web}
if ! command -v chromium >/dev/null 2>&1; then
  echo "txmath: web test SKIPPED: chromium is not installed (scripts/install-deps.sh installs it)"
  exit 0
fi
[ -f "$out/txmath.wasm" ] || "$here/build.sh" "$out"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
node "$here/test/engine.test.mjs" "$out/txmath.wasm"
node "$here/test/browser.test.mjs" --page "$out" --cli "$cli" --screenshot "$out/screenshot.png"
