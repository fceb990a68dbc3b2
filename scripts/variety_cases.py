#!/usr/bin/env python3
"""Einsums of the shapes issue 15 names, drawn at random instead of chosen: a check on tuning.

Usage: variety_cases.py [--seed N] [--out FILE]

The README's speed table times networks we picked (and tuned the code on). This script draws
others of the same families with a seeded generator, so that the check is repeatable but the
cases were not looked at before the code was written: transformer-shaped pairwise einsums
(attention scores and values, projections, MoE dispatch and combine, with random batch,
sequence, head and model sizes), three-operand chains and attention-with-projection
products, lattices of other shapes and bonds, matrix-product-state overlaps of other lengths,
physical and bond dimensions, and random regular graphs of other sizes and degrees. It writes
them as benchmarks/data/opt_einsum_test_cases.json is written (spec and shapes, and a name), with the
optimizers each case is timed under ("optimizers": dp and optimal only where opt_einsum
takes seconds or less). Run benchmarks/bench_einsum_external with TXMATH_EXTERNAL_CASES=FILE,
and scripts/external_speed.py --cases FILE, to time both libraries on them (speed_table.sh
does so with the default seed).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from einsum_networks import Lcg, lattice_network, mps_overlap, random_network  # noqa: E402


def pick(g, values):
    return values[g.below(len(values))]


def pairwise(g):
    """A transformer's two-operand einsums, with sizes drawn from powers of two and odd sizes."""
    b, s, t = pick(g, [1, 2, 4, 8, 16]), pick(g, [128, 512, 1000, 2048, 4096]), pick(g, [128, 512, 2048, 8192])
    h, d = pick(g, [8, 12, 16, 32, 40, 64]), pick(g, [64, 80, 96, 128])
    m, f, e = h * d, pick(g, [4096, 11008, 14336, 3 * h * d]), pick(g, [8, 16, 64])
    forms = [
        ("bshd,bthd->bhst", [(b, s, h, d), (b, t, h, d)]),
        ("bhst,bthd->bshd", [(b, h, s, t), (b, t, h, d)]),
        ("bsm,mf->bsf", [(b, s, m), (m, f)]),
        ("bsf,fm->bsm", [(b, s, f), (f, m)]),
        ("bsm,mhd->bshd", [(b, s, m), (m, h, d)]),
        ("bshd,hdm->bsm", [(b, s, h, d), (h, d, m)]),
        ("gsm,gsec->egcm", [(b, s, m), (b, s, e, 4)]),
        ("egcm,emf->egcf", [(e, b, 4, m), (e, m, f)]),
        ("bsm,bsm->bs", [(b, s, m), (b, s, m)]),
        ("bsm,m->bs", [(b, s, m), (m,)]),
    ]
    return pick(g, forms)


def three(g):
    """Three operands: chains and projections around attention."""
    a, b, c, d = (pick(g, [16, 64, 256, 1024, 4096, 14336]) for _ in range(4))
    h, k = pick(g, [8, 32, 64]), pick(g, [64, 128])
    forms = [
        ("ab,bc,cd->ad", [(a, b), (b, c), (c, d)]),
        ("ab,bc,cd->a", [(a, b), (b, c), (c, d)]),
        ("bsm,mhd,bthd->bhst", [(4, a, b), (b, h, k), (4, c, h, k)]),
        ("bsm,mf,fm->bsm", [(2, a, b), (b, c), (c, b)]),
        ("ij,jk,ik->", [(a, b), (b, c), (a, c)]),
        ("abc,cd,bd->a", [(h, a, b), (b, c), (a, c)]),
    ]
    return pick(g, forms)


def cases(seed):
    g = Lcg(seed)
    out = []

    def add(expr_shapes, optimizers):  # (named by its place: a spec may come twice, with other shapes)
        expr, shapes = expr_shapes
        out.append({"name": f"v{len(out):02d}:{expr[:40]}", "spec": expr, "shapes": [list(s) for s in shapes],
                    "optimizers": optimizers})

    every = ["auto", "greedy", "dp", "optimal"]
    for _ in range(20):
        add(pairwise(g), every)
    for _ in range(12):
        add(three(g), every)
    for rows, cols in [(2, 5), (3, 4), (4, 5), (6, 6)]:
        bond = pick(g, [2, 3, 4, 8])
        add(lattice_network(rows, cols, bond), ["greedy"] + (["dp"] if rows * cols <= 20 else []))
    for sites in [8, 15, 30, 60]:
        add(mps_overlap(sites, pick(g, [2, 3, 4]), pick(g, [8, 16, 32, 100])),
            ["greedy"] + (["dp"] if sites <= 15 else []))
    for n, reg in [(8, 3), (14, 4), (25, 3), (60, 3), (200, 4)]:
        seed_n = 1 + g.below(1000)
        add(random_network(n, reg, 2, seed_n), ["greedy"] + (["dp"] if n <= 14 else []) + (["optimal"] if n <= 8 else []))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    doc = {"source": f"scripts/variety_cases.py --seed {args.seed}", "cases": cases(args.seed)}
    text = json.dumps(doc, ensure_ascii=False)
    if args.out == "-":
        print(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
