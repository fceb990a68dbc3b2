#!/usr/bin/env python3
"""txmath against opt_einsum on einsums txmath did not design: opt_einsum's own test expressions.

Usage: external_speed.py --bench build/speed/benchmarks/bench_einsum_external [--opt-einsum PATH]
                         [--repetitions N] [--budget SECONDS] [--filter REGEX] [--all]
                         [--cases FILE]

Runs benchmarks/bench_einsum_external (txmath's contract_path from the text and the shapes,
least CPU time over repetitions) and times opt_einsum's contract_path(expr, *shapes,
shapes=True) on the same cases (benchmarks/data/opt_einsum_test_cases.json, written by
scripts/opt_einsum_test_cases.py) under the same optimizer name (auto, greedy, dp, optimal;
`auto` is each library's own default), in the same run. Prints, for each optimizer, the
number of cases, the least, median and largest ratio (opt_einsum time / txmath time), the
cases below 100x, and any case whose txmath path costs more FLOPs than opt_einsum's (the
bench's opt_flops counter against opt_einsum's opt_cost; `auto` is compared too, although the
two libraries' defaults choose different searches). --all prints every case. --cases FILE
times the cases of FILE instead (scripts/variety_cases.py writes one; a case's "optimizers"
list limits the optimizers it is timed under, its "name" stands for the spec); the bench reads
it from TXMATH_EXTERNAL_CASES. opt_einsum is imported from
--opt-einsum PATH, else OPT_EINSUM_PATH, else the installed package (numpy is not needed).
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def txmath_times(bench, repetitions, cases_file):
    """Every external case's least CPU time (us) and opt_flops counter (--filter picks among them)."""
    env = dict(os.environ, TXMATH_EXTERNAL_CASES=cases_file or "")
    out = subprocess.run([bench, "--benchmark_filter=^external/", f"--benchmark_repetitions={repetitions}",
                          "--benchmark_min_time=0.05", "--benchmark_format=json"],
                         capture_output=True, text=True, check=True, env=env).stdout
    best, flops = {}, {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        us = b["cpu_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b["time_unit"]]
        best[b["run_name"]] = min(best.get(b["run_name"], math.inf), us)
        flops[b["run_name"]] = b["opt_flops"]
    return best, flops




def opt_einsum_time(oe, expr, shapes, optimize, repetitions, budget):
    def call():
        return oe.contract_path(expr, *shapes, shapes=True, optimize=optimize)

    _, info = call()
    timer = timeit.Timer(call, timer=time.process_time)
    t1 = timer.timeit(number=1)
    number = max(1, int(budget / max(t1, 1e-6)))
    t = min(t1, min(timer.repeat(number=number, repeat=repetitions)) / number)
    return t * 1e6, info.opt_cost


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", required=True, help="the bench_einsum_external binary")
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM_PATH"))
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--budget", type=float, default=0.1, help="seconds a repetition of an opt_einsum case")
    ap.add_argument("--filter", default="", help="regular expression on 'optimizer/spec'")
    ap.add_argument("--all", action="store_true", help="print every case")
    ap.add_argument("--cases", default="", help="a case file (default: opt_einsum's test expressions)")
    args = ap.parse_args()
    if args.opt_einsum:
        sys.path.insert(0, args.opt_einsum)
    import opt_einsum as oe

    cases_file = args.cases or os.path.join(ROOT, "benchmarks", "data", "opt_einsum_test_cases.json")
    cases = json.load(open(cases_file, encoding="utf-8"))
    tx, tx_flops = txmath_times(args.bench, args.repetitions, os.path.abspath(args.cases) if args.cases else "")
    rows, dearer = {}, []
    for opt in ("auto", "greedy", "dp", "optimal"):
        for c in cases["cases"]:
            name = f"{opt}/{c.get('name', c['spec'])}"
            if not re.search(args.filter, name) or opt not in c.get("optimizers", [opt]):
                continue
            shapes = [tuple(s) for s in c["shapes"]]
            t_oe, oe_cost = opt_einsum_time(oe, c["spec"], shapes, True if opt == "auto" else opt, args.repetitions, args.budget)
            t_tx = tx.get("external/" + name)
            if t_tx is None:
                raise SystemExit(f"external_speed.py: bench_einsum_external has no case external/{name}")
            rows.setdefault(opt, []).append((c.get("name", c["spec"]), t_tx, t_oe, t_oe / t_tx))
            if tx_flops["external/" + name] > float(oe_cost) * (1 + 1e-9):
                dearer.append(f"{name}: txmath {tx_flops['external/' + name]:.0f} FLOPs, opt_einsum {oe_cost}")
    what = cases["source"] if args.cases else f"opt_einsum {cases['opt_einsum_commit']} test expressions"
    print(f"{what} ({len(cases['cases'])} cases), least CPU time over repetitions, opt_einsum time / txmath time:")
    print()
    print("| optimizer | cases | least | median | largest | below 100x |")
    print("|---|---:|---:|---:|---:|---:|")
    for opt, r in rows.items():
        ratios = [x[3] for x in r]
        below = sum(1 for x in ratios if x < 100)
        print(f"| `{opt}` | {len(r)} | {min(ratios):.0f}x | {statistics.median(ratios):.0f}x | {max(ratios):.0f}x | {below} |")
    print()
    print(f"txmath paths dearer than opt_einsum's: {len(dearer)}" + "".join("\n  " + d for d in dearer))
    print()
    for opt, r in rows.items():
        for spec, t_tx, t_oe, ratio in sorted(r, key=lambda x: x[3]):
            if args.all or ratio < 100:
                print(f"{opt:<8} {spec:<42} txmath {t_tx:10.3f} us  opt_einsum {t_oe:10.1f} us  {ratio:7.0f}x")


if __name__ == "__main__":
    main()
