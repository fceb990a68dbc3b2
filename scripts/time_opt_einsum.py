#!/usr/bin/env python3
"""Times opt_einsum's contract_path on the cases of benchmarks/bench_einsum.cpp.

Usage: time_opt_einsum.py [--opt-einsum PATH] [--budget SECONDS] [--filter REGEX] [--tsv]

opt_einsum is imported from --opt-einsum PATH, else from the OPT_EINSUM_PATH environment
variable, else from the installed package (numpy is not needed: contract_path with
shapes=True). Each case has the name that bench_einsum registers ("path/<optimizer>/<case>"),
and is built the same way: the transformer einsums from the same text and shapes, the random
networks by the same 64-bit LCG as include/txmath/einsum_random.hpp (bit for bit), the
lattices and MPS overlaps with the same labels in the same order. `--print-specs` prints
each case's expression, to compare with net.str() on the C++ side. Each line gives the least
CPU time per call over repetitions (CPU time: the machine may be shared) and log2 of opt_einsum's opt_cost (the same quantity as
bench_einsum's log2_opt_flops counter), so path quality can be compared. --tsv prints
name<TAB>microseconds<TAB>log2 cost, for scripts/speed_table.sh. Cases opt_einsum takes
minutes on (TOO_SLOW: its 'optimal' beyond 10 operands) are not timed; a case of seconds a
call is timed twice and the lesser kept.
"""
import argparse
import math
import os
import re
import sys
import time
import timeit

from einsum_networks import lattice_network, mps_overlap, random_network  # noqa: E402


def text(expr, shapes):
    return expr, [tuple(s) for s in shapes]


def cases():
    """(name, optimizer, expr, shapes) in bench_einsum.cpp's order; 'auto' is opt_einsum's default."""
    out = []
    for expr, shapes in [
        ("ii->", [(4096, 4096)]),
        ("btd,df->btf", [(8, 2048, 4096), (4096, 14336)]),
        ("btnh,bsnh->bnts", [(8, 2048, 32, 128), (8, 2048, 32, 128)]),
        ("bnts,bsnh->btnh", [(8, 32, 2048, 2048), (8, 2048, 32, 128)]),
        ("gsec,egcm->gsm", [(8, 1024, 64, 40), (64, 8, 40, 4096)]),
        ("bthd,hde->bte", [(8, 2048, 32, 128), (32, 128, 4096)]),
        ("bd,df,fe->be", [(1024, 4096), (4096, 14336), (14336, 4096)]),
        ("btd,dnh,bsnh->btns", [(8, 2048, 4096), (4096, 32, 128), (8, 2048, 32, 128)]),
    ]:
        out.append((expr, "auto", *text(expr, shapes)))
    for n in (4, 6, 8, 10, 12, 16):
        out.append((f"random n={n}", "optimal", *random_network(n, 3, 2, n)))
    for n in (4, 6, 8, 10, 12, 16, 20):
        out.append((f"random n={n}", "dp", *random_network(n, 3, 2, n)))
    for n in (20, 30, 100, 500):
        out.append((f"random n={n}", "greedy", *random_network(n, 3, 2, n)))
    for r in (3, 4, 5):
        for opt in ("dp", "greedy"):
            out.append((f"lattice {r}x{r} bond 2", opt, *lattice_network(r, r, 2)))
    out.append(("mps 10 sites d 2 bond 16", "dp", *mps_overlap(10, 2, 16)))
    out.append(("mps 20 sites d 2 bond 16", "dp", *mps_overlap(20, 2, 16)))
    out.append(("mps 20 sites d 2 bond 16", "greedy", *mps_overlap(20, 2, 16)))
    out.append(("mps 40 sites d 2 bond 64", "greedy", *mps_overlap(40, 2, 64)))
    return [(f"path/{opt}/{name}", opt, expr, shapes) for name, opt, expr, shapes in out]


# Cases opt_einsum takes minutes or more on (its 'optimal' beyond 10 operands): not timed.
TOO_SLOW = {"path/optimal/random n=12", "path/optimal/random n=16"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM_PATH"), help="directory holding the opt_einsum package")
    ap.add_argument("--budget", type=float, default=1.0, help="seconds per repetition of a case (default 1)")
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--filter", default="", help="regular expression on the case names")
    ap.add_argument("--tsv", action="store_true")
    ap.add_argument("--print-specs", action="store_true")
    args = ap.parse_args()
    if args.opt_einsum:
        sys.path.insert(0, args.opt_einsum)
    selected = [c for c in cases() if re.search(args.filter, c[0]) and c[0] not in TOO_SLOW]
    if args.print_specs:
        for name, _, expr, shapes in selected:
            print(f"{name}\t{expr}\t{shapes}")
        return
    import opt_einsum as oe

    if not args.tsv:
        print(f"{'case':<42}{'time per call':>16}{'log2 opt_cost':>16}")
    for name, opt, expr, shapes in selected:
        optimize = True if opt == "auto" else opt

        def call():
            return oe.contract_path(expr, *shapes, shapes=True, optimize=optimize)

        _, info = call()
        timer = timeit.Timer(call, timer=time.process_time)  # CPU time, as bench_einsum's cpu_time
        t1 = timer.timeit(number=1)
        number = max(1, int(args.budget / max(t1, 1e-6)))
        repeat = args.repetitions if t1 < 2 else 1  # (seconds a call: once more is enough)
        t = min(t1, min(timer.repeat(number=number, repeat=repeat)) / number)
        cost = math.log2(info.opt_cost) if info.opt_cost > 0 else float("-inf")
        if args.tsv:
            print(f"{name}\t{t * 1e6:.4f}\t{cost:.4f}", flush=True)
        else:
            print(f"{name:<42}{t * 1e6:>14.2f}us{cost:>16.4f}", flush=True)


if __name__ == "__main__":
    main()
