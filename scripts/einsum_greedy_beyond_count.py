#!/usr/bin/env python3
"""opt_einsum's greedy paths on networks whose pair sizes outgrow 128 bits, most of them; writes
tests/reference/einsum_greedy_beyond_count.json, which tests/test_einsum_random_greedy.cpp
checks txmath's greedy in count against.

    scripts/einsum_greedy_beyond_count.py --txmath build/gcc/tools/txmath \
        [--opt-einsum PATH] [--out tests/reference/einsum_greedy_beyond_count.json]

opt_einsum ranks greedy's candidate pairs by size12 - size1 - size2 in Python integers, exact at
any size. txmath's greedy in count ranks exactly while a pair's sizes fit in 128 bits and by
log2 beyond (einsum_path/greedy.hpp, count_rank), so on these networks it finds opt_einsum's
path except where two ranks beyond 2^128 are too close for a double to order them. The
networks, of include/txmath/einsum_random.hpp (built label for label by
scripts/einsum_networks.py), are chosen by a rule, not by the outcome: random regular networks
of 100, 200 and 300 tensors of regularity 3 to 5 (sizes 2-9; the largest intermediate of
opt_einsum's path is 2^45 to 2^393, beyond 2^128 in 18 of the 27), three seeds each, and an MPS
overlap and two lattices with large bonds. At generation, 25 of the 30 paths were opt_einsum's
(the greedy of the commit before, which started again in log2_cost at the first overflow,
found 15). For each: opt_einsum's greedy path (linear, as
contract_path returns it) and log2 of its opt_cost; txmath's path from
`txmath path EXPR sizes... --optimize greedy --json` (count, the default), recorded only where
it differs from opt_einsum's, with log2 of its opt_flops. The C++ test rebuilds each network,
checks that txmath's path is opt_einsum's where the file says so (the independent check) and
its own recorded path elsewhere (a pin), and that those costs are within 2x of opt_einsum's.

opt_einsum: --opt-einsum PATH or the OPT_EINSUM environment variable names the directory that
holds the opt_einsum package; else an installed one. numpy is not needed. Runs under
PYTHONHASHSEED=0 (it restarts itself so), as the other reference scripts. CI does not run it.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from einsum_networks import git_commit, lattice_network, mps_overlap, pin_hash_seed, random_network, sizes_of  # noqa: E402,E501


def networks():
    out = []
    for n in (100, 200, 300):
        for regularity in (3, 4, 5):
            for seed in (1, 2, 3):
                args = [n, regularity, seed % 3, 1000 * seed + n]
                out.append(("random_network", args, *random_network(*args)))
    out.append(("mps_overlap", [60, 2, 1 << 40], *mps_overlap(60, 2, 1 << 40)))
    out.append(("lattice_network", [5, 6, 1 << 30], *lattice_network(5, 6, 1 << 30)))
    out.append(("lattice_network", [8, 9, 1 << 12], *lattice_network(8, 9, 1 << 12)))
    return out


def txmath_side(tool, expr, shapes):
    sizes = sizes_of(expr, shapes)
    cmd = [tool, "path", expr] + [f"{s}={v}" for s, v in sizes.items()] + ["--optimize", "greedy", "--json"]
    j = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    log2 = j["log2"]["opt_flops"] if j["opt_flops"] is None else math.log2(int(j["opt_flops"]))
    return [list(s) for s in j["path"]], log2



def main():
    pin_hash_seed()  # (see the docstring)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--txmath", required=True, help="the txmath tool (build/.../tools/txmath)")
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM"), help="opt_einsum checkout")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "tests", "reference", "einsum_greedy_beyond_count.json"))
    a = ap.parse_args()
    if a.opt_einsum:
        sys.path.insert(0, a.opt_einsum)
    import opt_einsum as oe

    rows, same = [], 0
    for kind, args, expr, shapes in networks():
        path, info = oe.contract_path(expr, *shapes, shapes=True, optimize="greedy")
        row = {"kind": kind, "args": args, "opt_einsum_path": [list(s) for s in path],
               "opt_einsum_log2_opt_cost": round(math.log2(info.opt_cost), 6),
               "log2_largest_intermediate": round(math.log2(info.largest_intermediate), 3)}
        t_path, t_log2 = txmath_side(a.txmath, expr, shapes)
        if t_path == row["opt_einsum_path"]:
            same += 1
        else:
            row["txmath_path"] = t_path
            row["txmath_log2_opt_flops"] = round(t_log2, 6)
        print(f"{kind}({', '.join(map(str, args))}): largest 2^{row['log2_largest_intermediate']}, "
              f"{'same path' if 'txmath_path' not in row else 'differs'}")
        rows.append(row)
    print(f"{same} of {len(rows)} paths are opt_einsum's")
    doc = {
        "source": "scripts/einsum_greedy_beyond_count.py",
        "opt_einsum": getattr(oe, "__version__", "unknown") + git_commit(a.opt_einsum) + ", CPython " + platform.python_version(),
        "python_hash_seed": 0,
        "same_as_opt_einsum": same,
        "networks": rows,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
