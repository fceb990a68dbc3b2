#!/usr/bin/env bash
# The README's einsum speed rows: builds and runs benchmarks/bench_einsum (g++-12 -O3) and
# scripts/time_opt_einsum.py in the same run, and prints a markdown table with the ratio.
# Each time is the least CPU time over repetitions (the machine is shared and noisy, and a
# process waiting for a core counts no CPU time); both sides
# start from the same spec text and shapes. Below the table, any case whose path costs more
# FLOPs than opt_einsum's is listed (there should be none). Then scripts/external_speed.py's
# summary on opt_einsum's own test expressions (benchmarks/bench_einsum_external.cpp), and its
# every case of scripts/variety_cases.py's networks (the table's families, drawn at random).
#
# Usage: scripts/speed_table.sh [--opt-einsum PATH] [--quick]
#   --opt-einsum PATH  opt_einsum's checkout (else $OPT_EINSUM_PATH, else the installed one)
#   --quick            fewer repetitions (a smoke test, about a minute)
# Environment: BUILD_DIR (default build/speed), CXX (default g++-12),
# REPETITIONS (default 5), MIN_TIME (seconds a repetition, default 0.2); for before/after
# comparisons, BENCH=path/to/bench_einsum runs that binary instead of building one (and
# BENCH_EXTERNAL, else bench_einsum_external beside it, for the second table), and
# OPT_EINSUM_TSV=file reuses opt_einsum's timings (its --tsv output, which SAVE_TSV=file keeps).
# Takes about 12-14 minutes on a 2-core machine (most of it opt_einsum's dp on the lattices).
set -euo pipefail
cd "$(dirname "$0")/.."

opt_einsum="${OPT_EINSUM_PATH:-}"
repetitions="${REPETITIONS:-5}"
min_time="${MIN_TIME:-0.2}"
py_budget=0.5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --opt-einsum) opt_einsum="$2"; shift 2 ;;
    --quick) repetitions=2; min_time=0.05; py_budget=0.1; shift ;;
    *) echo "speed_table.sh: unknown argument '$1' (use --opt-einsum PATH or --quick)" >&2; exit 2 ;;
  esac
done
build="${BUILD_DIR:-build/speed}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

bench="${BENCH:-}"
if [[ -z "$bench" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="${CXX:-g++-12}" -DCMAKE_BUILD_TYPE=Release \
    -DTXMATH_BUILD_BENCHMARKS=ON -DTXMATH_BUILD_TESTS=OFF -DTXMATH_BUILD_EXAMPLES=OFF -DTXMATH_BUILD_TOOLS=OFF >/dev/null
  cmake --build "$build" -j1 --target bench_einsum bench_einsum_external >/dev/null
  bench="$build/benchmarks/bench_einsum"
fi
bench_external="${BENCH_EXTERNAL:-$(dirname "$bench")/bench_einsum_external}"

"$bench" --benchmark_filter='^(path/|BM_parse)' --benchmark_repetitions="$repetitions" \
  --benchmark_min_time="$min_time" --benchmark_format=json >"$out/txmath.json" 2>/dev/null
if [[ -n "${OPT_EINSUM_TSV:-}" ]]; then
  cp "$OPT_EINSUM_TSV" "$out/opt_einsum.tsv"
else
  python3 scripts/time_opt_einsum.py ${opt_einsum:+--opt-einsum "$opt_einsum"} --budget "$py_budget" \
    --repetitions "$repetitions" --tsv >"$out/opt_einsum.tsv"
fi
if [[ -n "${SAVE_TSV:-}" ]]; then cp "$out/opt_einsum.tsv" "$SAVE_TSV"; fi

python3 - "$out/txmath.json" "$out/opt_einsum.tsv" <<'EOF'
import json, math, sys

def fmt(us):
    """A time in the README's style: 93 ns, 1.37 µs, 20.8 ms, 11.1 s (3 significant digits)."""
    for unit, scale in (("s", 1e6), ("ms", 1e3), ("µs", 1.0)):
        if us >= scale:
            v = us / scale
            return f"{v:.3g} {unit}" if v < 1000 else f"{v:,.0f} {unit}"
    return f"{us * 1e3:.3g} ns"

bench = json.load(open(sys.argv[1]))["benchmarks"]
ours, cost, order = {}, {}, []
for b in bench:
    if b.get("run_type") != "iteration":
        continue
    name = b["run_name"]
    us = b["cpu_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b["time_unit"]]
    if name not in ours:
        order.append(name)
    ours[name] = min(us, ours.get(name, math.inf))
    if "log2_opt_flops" in b:
        cost[name] = b["log2_opt_flops"]
theirs = {}
for line in open(sys.argv[2]):
    name, us, c = line.rstrip("\n").split("\t")
    theirs[name] = (float(us), float(c))

print("| benchmark | txmath | opt_einsum | faster |")
print("|---|---:|---:|---:|")
worse = []
for name in order:
    if name == "BM_parse_and_cost_pairwise":
        print(f"| parse + cost of `btd,df->btf` (FLOPs, bytes, backward) | {fmt(ours[name])} | | |")
        continue
    _, opt, case = name.split("/", 2)
    label = f"`{case}`" if "->" in case else case
    row = f"| `{opt}`, {label} | {fmt(ours[name])} |"
    if name in theirs:
        t, c = theirs[name]
        row += f" {fmt(t)} | {t / ours[name]:,.0f}× |"
        if name in cost and cost[name] > c + 1e-4:  # (the tsv holds 4 decimals)
            worse.append(f"{name}: log2 FLOPs {cost[name]:.4f} (txmath) > {c:.4f} (opt_einsum)")
    else:
        row += " | |"
    print(row)
print()
print("Paths costlier than opt_einsum's: " + ("none" if not worse else "; ".join(worse)))
EOF

# The same comparison on einsums we did not design: opt_einsum's own test expressions, then
# networks of the table's families drawn at random (scripts/variety_cases.py, its default seed).
if [[ -x "$bench_external" ]]; then
  echo
  python3 scripts/external_speed.py --bench "$bench_external" ${opt_einsum:+--opt-einsum "$opt_einsum"} \
    --repetitions "$repetitions"
  echo
  python3 scripts/variety_cases.py --out "$out/variety.json"
  python3 scripts/external_speed.py --bench "$bench_external" ${opt_einsum:+--opt-einsum "$opt_einsum"} \
    --repetitions "$repetitions" --cases "$out/variety.json" --all
fi
