#!/usr/bin/env bash
# Two builds of a Google Benchmark binary timed alternately (A, B, A, B, ...), the least CPU time
# of each benchmark over the rounds kept, and B/A printed with its median and geometric mean:
# the before/after figures of commit messages on a machine whose load comes and goes.
#   scripts/alternate_bench.sh BIN_A BIN_B FILTER [ROUNDS=5] [MIN_TIME=0.2]
# (Environment such as TXMATH_EXTERNAL_CASES passes through to both.)
# Runs A and B alternately, keeps the least cpu_time per benchmark, prints B/A.
if [ $# -lt 3 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
  echo "usage: scripts/alternate_bench.sh BIN_A BIN_B FILTER [ROUNDS=5] [MIN_TIME=0.2] (two executables)" >&2
  exit 2
fi
A=$1; B=$2; F=$3; R=${4:-5}; T=${5:-0.2}
case $R in ''|*[!0-9]*|0) echo "txmath: alternate_bench.sh: ROUNDS must be a positive integer, not '$R'" >&2; exit 2 ;; esac
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
for r in $(seq 1 $R); do
  "$A" --benchmark_filter="$F" --benchmark_min_time=$T --benchmark_format=json 2>/dev/null > $d/a$r.json
  "$B" --benchmark_filter="$F" --benchmark_min_time=$T --benchmark_format=json 2>/dev/null > $d/b$r.json
done
python3 - $d $R <<'PY'
import sys, json, math
d, R = sys.argv[1], int(sys.argv[2])
def load(prefix):
    best = {}; order = []
    for r in range(1, R + 1):
        try:
            runs = json.load(open(f"{d}/{prefix}{r}.json"))["benchmarks"]
        except (ValueError, KeyError):
            sys.exit(f"txmath: alternate_bench.sh: binary {prefix.upper()}, round {r}: no benchmark output (does the filter match?)")
        for b in runs:
            n = b["name"]; t = b["cpu_time"] * {"ns": 1e-3, "us": 1, "ms": 1e3, "s": 1e6}[b["time_unit"]]
            if n not in best: order.append(n); best[n] = t
            else: best[n] = min(best[n], t)
    return best, order
a, order = load("a"); b, _ = load("b")
rs = []
for n in order:
    if n in b:
        r = b[n] / a[n]; rs.append(r)
        print(f"{n:50s} A {a[n]:12.4f}us  B {b[n]:12.4f}us  B/A {r:.3f}")
rs.sort()
if rs: print(f"median B/A {rs[len(rs)//2]:.3f}  geomean {math.exp(sum(map(math.log, rs))/len(rs)):.3f}  n={len(rs)}")
PY
