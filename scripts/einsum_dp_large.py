#!/usr/bin/env python3
"""opt_einsum's dp on networks whose connected groups exceed 16 tensors (or are dense groups of
13-16), where txmath's dp takes its cost-ordered scan (einsum_path/dp_search.hpp); writes
tests/reference/einsum_dp_large.json, which tests/test_einsum_dp.cpp checks txmath's dp against.

    scripts/einsum_dp_large.py [--opt-einsum PATH] [--out tests/reference/einsum_dp_large.json]

The networks, of include/txmath/einsum_random.hpp (built label for label by
scripts/einsum_networks.py), are chosen by a rule, not by the outcome: random 3-regular
networks of 17 to 26 tensors (two seeds each), random 5-regular networks of 14 to 16 (dense:
txmath's pair-by-pair scan is for sparse groups up to 16), rectangular lattices of 17-24 sites
(bond 2 and 3) and MPS overlaps of 9-12 sites (18-24 tensors). For each: opt_einsum's dp path
(DynamicProgramming(minimize='flops'), linear as contract_path returns it) and its opt_cost
(contract_path's figure: txmath's FLOP convention). The test checks that txmath's dp
(dp_minimize::exact_flops: the same space of trees, the reported FLOPs minimized exactly)
reports at most that cost, and that replaying opt_einsum's path gives it.

opt_einsum: --opt-einsum PATH or the OPT_EINSUM environment variable names the directory that
holds the opt_einsum package; else an installed one. numpy is not needed. Runs under
PYTHONHASHSEED=0 (it restarts itself so), as the other reference scripts. CI does not run it.
"""
import argparse
import json
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from einsum_networks import git_commit, lattice_network, mps_overlap, pin_hash_seed, random_network  # noqa: E402


def networks():
    out = []
    for n in range(17, 27):
        for seed in (1, 2):
            args = [n, 3, 2, 1000 * seed + n]
            out.append(("random_network", args, *random_network(*args)))
    for n in (14, 15, 16):
        args = [n, 5, 1, 500 + n]
        out.append(("random_network", args, *random_network(*args)))
    for rows, cols in ((3, 6), (4, 5), (3, 7), (4, 6)):
        for bond in (2, 3):
            out.append(("lattice_network", [rows, cols, bond], *lattice_network(rows, cols, bond)))
    for sites, bond in ((9, 16), (10, 8), (11, 16), (12, 4)):
        out.append(("mps_overlap", [sites, 2, bond], *mps_overlap(sites, 2, bond)))
    return out


def main():
    pin_hash_seed()  # (see the docstring)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM"), help="opt_einsum checkout")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "tests", "reference", "einsum_dp_large.json"))
    a = ap.parse_args()
    if a.opt_einsum:
        sys.path.insert(0, a.opt_einsum)
    import opt_einsum as oe

    rows = []
    for kind, args, expr, shapes in networks():
        t0 = time.perf_counter()
        path, info = oe.contract_path(expr, *shapes, shapes=True, optimize=oe.DynamicProgramming(minimize="flops"))
        seconds = time.perf_counter() - t0
        rows.append({"kind": kind, "args": args, "opt_einsum_path": [list(s) for s in path],
                     "opt_einsum_opt_cost": int(info.opt_cost)})
        print(f"{kind}{args}: opt_cost {int(info.opt_cost)} ({seconds:.2f} s)", file=sys.stderr, flush=True)
    doc = {"generated_by": "scripts/einsum_dp_large.py",
           "opt_einsum_version": oe.__version__ + git_commit(a.opt_einsum),
           "python": platform.python_version(),
           "cases": rows}
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, indent=1)[:-2]
    with open(a.out, "w") as f:  # (one case a line)
        f.write(head + ',\n "cases": [\n' + ",\n".join("  " + json.dumps(r) for r in rows) + "\n ]\n}\n")


if __name__ == "__main__":
    main()
