#!/usr/bin/env python3
"""txmath's random greedy beside opt_einsum's RandomGreedy, on the networks that
tests/test_einsum_random_greedy.cpp checks; writes tests/reference/einsum_random_greedy.json.

    scripts/einsum_random_greedy.py --txmath build/gcc/tools/txmath/txmath \
        [--opt-einsum PATH] [--trials 32] [--out tests/reference/einsum_random_greedy.json]

opt_einsum: --opt-einsum PATH or the OPT_EINSUM environment variable names the directory that
holds the opt_einsum package (a git checkout); without either, an installed opt_einsum is
used. numpy is not needed (contract_path with shapes=True). CI does not run this script.

For each network it records, as log2 of contract_path's opt_cost:
  - opt_einsum's greedy, and RandomGreedy(max_repeats=TRIALS) with its other defaults
    (cost_fn 'memory-removed-jitter', temperature 1, nbranch 8), with the seconds of one
    call. Its trial r is seeded with random.seed(r), but its candidates come from sets of
    strings, whose order follows Python's per-process string hashing: the script runs under
    PYTHONHASHSEED=0 (it restarts itself so) to be reproducible; other hash seeds give other
    figures (on these networks, seen to move by up to 2^8);
  - txmath's `txmath path EXPR sizes... --optimize random-greedy --trials TRIALS --seed 0 --json`
    (opt_flops, and greedy_opt_flops beside it), with the seconds of the whole command
    (process start, parse, both searches and the report).
The networks are those of include/txmath/einsum_random.hpp, built label for label by
scripts/einsum_networks.py (its LCG repeats the C++ one bit for bit).
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from einsum_networks import git_commit, lattice_network, mps_overlap, pin_hash_seed, random_network, sizes_of  # noqa: E402,E501


def networks():
    out = []
    for args in ((100, 3, 2, 100), (300, 3, 2, 300), (500, 3, 2, 500), (1000, 2, 2, 1000)):
        out.append(("random_network", list(args), *random_network(*args)))
    out.append(("lattice_network", [10, 10, 2], *lattice_network(10, 10, 2)))
    out.append(("mps_overlap", [40, 2, 64], *mps_overlap(40, 2, 64)))
    return [(kind, args, expr, sizes_of(expr, shapes)) for kind, args, expr, shapes in out]


def opt_einsum_side(oe, expr, sizes, trials):
    shapes = [tuple(sizes[s] for s in term) for term in expr.split("->")[0].split(",")]
    _, greedy = oe.contract_path(expr, *shapes, shapes=True, optimize="greedy")
    t0 = time.perf_counter()
    _, rg = oe.contract_path(expr, *shapes, shapes=True, optimize=oe.RandomGreedy(max_repeats=trials))
    seconds = time.perf_counter() - t0
    return {
        "greedy_log2": math.log2(greedy.opt_cost),
        "random_greedy_log2": math.log2(rg.opt_cost),
        "random_greedy_seconds": round(seconds, 4),
    }


def txmath_side(tool, expr, sizes, trials):
    cmd = [tool, "path", expr] + [f"{s}={v}" for s, v in sizes.items()]
    cmd += ["--optimize", "random-greedy", "--trials", str(trials), "--seed", "0", "--json"]
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        seconds = time.perf_counter() - t0
        best = seconds if best is None else min(best, seconds)
    j = json.loads(out)

    def log2_of(key):
        return j["log2"][key] if j[key] is None else math.log2(int(j[key]))

    return {
        "greedy_log2": log2_of("greedy_opt_flops"),
        "random_greedy_log2": log2_of("opt_flops"),
        "command_seconds": round(best, 4),
    }



def main():
    pin_hash_seed()  # (see the docstring)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--txmath", required=True, help="the txmath tool (build/.../tools/txmath/txmath)")
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM"), help="opt_einsum checkout")
    ap.add_argument("--trials", type=int, default=32)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "tests", "reference", "einsum_random_greedy.json"))
    a = ap.parse_args()
    if a.opt_einsum:
        sys.path.insert(0, a.opt_einsum)
    sys.path.insert(0, HERE)
    import opt_einsum as oe

    rows = []
    for kind, args, expr, sizes in networks():
        o = opt_einsum_side(oe, expr, sizes, a.trials)
        t = txmath_side(a.txmath, expr, sizes, a.trials)
        name = f"{kind}({', '.join(map(str, args))})"
        print(f"{name:<34} opt_einsum greedy {o['greedy_log2']:8.3f} random {o['random_greedy_log2']:8.3f} "
              f"({o['random_greedy_seconds']:.2f} s) | txmath greedy {t['greedy_log2']:8.3f} "
              f"random {t['random_greedy_log2']:8.3f} ({t['command_seconds']:.3f} s)")
        rows.append({"kind": kind, "args": args, "expr": expr, "opt_einsum": o, "txmath": t})
    doc = {
        "source": "scripts/einsum_random_greedy.py (log2 of opt_cost / opt_flops; seconds on the "
                  "2-core AMD EPYC machine of the README's Speed section, shared, so noisy)",
        "opt_einsum": getattr(oe, "__version__", "unknown") + git_commit(a.opt_einsum) + ", CPython " + platform.python_version(),
        "trials": a.trials,
        "seed": 0,
        "python_hash_seed": 0,
        "networks": rows,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
