#!/usr/bin/env python3
"""opt_einsum's dp on the square lattices of include/txmath/einsum_random.hpp (lattice_network).

The figures pinned in tests/test_einsum_dp.cpp. Usage:

    PYTHONPATH=/path/to/opt_einsum python3 scripts/einsum_lattice_dp.py [--opt-einsum PATH]
        [--minimize flops,size,write,combo,limit] 4x4 5x5 6x6

(--opt-einsum PATH, or the environment variable OPT_EINSUM, puts that checkout first on the
import path; numpy is not needed.) For each lattice it builds the same expression as
lattice_network(rows, cols, bond) (one tensor a site, row by row; one index an edge,
horizontal edges first, then vertical; labels as einsum_symbol) and prints opt_einsum's
DynamicProgramming(minimize=...) result (by default 'flops'): the path's opt_cost as contract_path reports it
(opt_einsum's flop_count per step, txmath's FLOP convention) and the time it took.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from einsum_networks import lattice_network  # noqa: E402


def main(argv):
    args = list(argv)
    path = os.environ.get("OPT_EINSUM")
    if "--opt-einsum" in args:
        i = args.index("--opt-einsum")
        path = args[i + 1]
        del args[i : i + 2]
    if path:
        sys.path.insert(0, path)
    objectives = ["flops"]
    if "--minimize" in args:
        i = args.index("--minimize")
        objectives = args[i + 1].split(",")
        del args[i : i + 2]
    import opt_einsum as oe

    bond = 2
    for spec in args or ["4x4", "5x5"]:
        rows, cols = (int(x) for x in spec.split("x"))
        expr, shapes = lattice_network(rows, cols, bond)
        for minimize in objectives:
            t0 = time.perf_counter()
            dp = oe.DynamicProgramming(minimize=minimize)
            path, info = oe.contract_path(expr, *shapes, shapes=True, optimize=dp)
            seconds = time.perf_counter() - t0
            print(f"{rows}x{cols} bond {bond} minimize={minimize}: opt_cost {int(info.opt_cost)} "
                  f"largest_intermediate {int(info.largest_intermediate)} ({seconds:.1f} s) path {path}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
