#!/usr/bin/env python3
"""Times opt_einsum's contract_path on the networks of benchmarks/bench_einsum.cpp.

Needs an opt_einsum you installed (pip install opt_einsum; numpy is not needed for
contract_path with shapes=True). The generator repeats include/txmath/einsum_random.hpp
bit for bit, so both sides time the same expressions; the printed log2 costs let you check
that they agree (and compare path quality).
"""
import math
import sys
import timeit

import opt_einsum as oe

MASK = (1 << 64) - 1


class Lcg:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return self.state >> 33

    def below(self, n):
        return self.next() % n


def symbol(i):
    if i < 26:
        return chr(ord("a") + i)
    if i < 52:
        return chr(ord("A") + i - 26)
    return chr(0xC0 + i - 52)


def random_network(n, regularity, n_out, seed):
    g = Lcg(seed)
    inputs = [[] for _ in range(n)]
    sizes = {}
    n_idx = n * regularity // 2
    for i in range(n_idx):
        s = symbol(i)
        sizes[s] = 2 + g.below(8)
        a = g.below(n)
        b = g.below(n - 1)
        if b >= a:
            b += 1
        inputs[a].append(s)
        inputs[b].append(s)
    output = []
    for i in range(n_out):
        s = symbol(n_idx + i)
        sizes[s] = 2 + g.below(8)
        inputs[g.below(n)].append(s)
        output.append(s)
    expr = ",".join("".join(t) for t in inputs) + "->" + "".join(output)
    shapes = [tuple(sizes[c] for c in t) for t in inputs]
    return expr, shapes


def main():
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    cases = [("optimal", n) for n in (4, 6, 8)] + [("dp", n) for n in (4, 6, 8, 10, 12, 16, 20)]
    cases += [("greedy", n) for n in (20, 100, 500)]
    print(f"{'optimizer':<10}{'n':>5}{'time per call':>16}{'log2 opt_cost':>16}")
    for opt, n in cases:
        expr, shapes = random_network(n, 3, 2, n)
        call = lambda: oe.contract_path(expr, *shapes, shapes=True, optimize=opt)
        _, info = call()
        t1 = timeit.timeit(call, number=1)
        number = max(1, int(budget / max(t1, 1e-6)))
        t = min(timeit.repeat(call, number=number, repeat=3)) / number
        print(f"{opt:<10}{n:>5}{t * 1e6:>14.1f}us{math.log2(info.opt_cost):>16.4f}")


if __name__ == "__main__":
    main()
