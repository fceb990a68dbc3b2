#!/usr/bin/env python3
"""Random einsum cases and opt_einsum's paths for them: tests/reference/einsum_compare_opt_einsum.json.

tests/test_einsum_compare.cpp reads that file and checks txmath's path search against it
(and against tests/reference/einsum_compare_txmath.json, txmath's own earlier results).

Regenerate (about 2.5 minutes of CPU, most of it opt_einsum's 'optimal' on the 9- and
10-operand cases; the output is the same on every run):

    PYTHONHASHSEED=0 scripts/einsum_compare.py --opt-einsum /path/to/opt_einsum \
        > tests/reference/einsum_compare_opt_einsum.json

opt_einsum: 3.4 + git 2ebc7b8 (2ebc7b809cf0e1f584fe70bc90d2c0e6b5b7c521), pure Python; numpy is
not needed (contract_path with shapes=True). Its location is --opt-einsum PATH or the
OPT_EINSUM_PATH environment variable (the folder that holds the opt_einsum package), else an
installed opt_einsum. PYTHONHASHSEED is pinned to 0 (the script restarts itself with it) since
opt_einsum iterates over sets of letters, whose order follows the string hash.

The cases come from random.Random(--seed) alone and are written into the file (spec text and
index sizes), so the C++ test needs no generator. Each case belongs to a class that says which
of opt_einsum's optimizers ran on it:
  optimal  2 to 8 operands, 2% of them 9 or 10: 'optimal', 'dp', 'greedy'
  dp       3 to 16 operands: 'dp', 'greedy'
  greedy   3 to 60 operands: 'greedy'
With a memory limit (a number of elements or 'max_input') greedy is 'branch-1' (what
opt_einsum's greedy turns into under a limit, and what txmath runs), and a dp that finds
nothing under the limit is recorded as {"error": ...}.
The specs mix indices shared by two tensors, indices on three or more, open (output) indices,
indices only one tensor carries (summed alone), an index repeated within one operand (a
trace or diagonal), disconnected parts (outer products), indices of size 1, outputs in a
random order, implicit outputs (no '->') and scalar outputs.

Two variants of opt_einsum, patched here for the run only, pin down the two differences
from txmath that the comparison found (tests/test_einsum_compare.cpp says more):
  optimal/reported_cost  'optimal' with calc_k12_flops costing a step as contract_path
      reports it: opt_einsum's search counts a step as inner (x2) only when an index that
      both operands share is summed, its report whenever any index is summed, so on a step
      that also sums an index only one operand carries it searches a cost it does not report.
      Recorded for every case of the optimal class.
  branch-1/ascending  'branch-1' taking the pairs in ascending order: opt_einsum iterates
      itertools.combinations over a Python set of tensor ids, in hash-table slot order, which
      is not ascending once ids pass the table size; the order decides which candidates its
      best_progress cutoff drops. Recorded only where it gives another path than 'branch-1'.

For each optimizer run the file holds opt_einsum's path (linear ids), opt_cost (the sum of
helpers.flop_count over the steps), largest_intermediate (max of PathInfo.size_list), and for
'dp' dp_objective: the figure DynamicProgramming(minimize='flops') minimizes, worked out here
from the path: the sum, over its pairwise steps whose two operands share an index not in the
output, of the product of the step's index sizes (dp leaves out the single-operand reductions
it does first and the outer products that join disconnected parts at the end).
"""
import argparse
import itertools
import json
import math
import os
import random
import sys

SEED = 20261203
CLASSES = (("optimal", 700), ("dp", 500), ("greedy", 300))


def restart_with_fixed_hash_seed():
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)


def symbol(i):  # opt_einsum's get_symbol (and txmath's einsum_symbol)
    if i < 26:
        return chr(ord("a") + i)
    if i < 52:
        return chr(ord("A") + i - 26)
    return chr(0xC0 + i - 52)


class CaseMaker:
    """One random case: a list of terms (lists of letters), an output, sizes, a memory limit."""

    def __init__(self, rng, cls):
        self.rng = rng
        self.cls = cls
        self.n = self.operands()
        self.terms = [[] for _ in range(self.n)]
        self.sizes = {}
        self.output = []

    def operands(self):
        r = self.rng
        if self.cls == "optimal":
            if r.random() < 0.02:  # opt_einsum's 'optimal' takes seconds on these
                return r.choice([9, 10])
            return r.choice([2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8])
        if self.cls == "dp":
            return r.randint(3, 16)
        return r.randint(3, 60)

    def new_index(self, size=None):
        s = symbol(len(self.sizes))
        r = self.rng
        if size is None:
            top = {"optimal": 12, "dp": 8, "greedy": 6}[self.cls]
            size = 1 if r.random() < 0.08 else r.randint(2, top)
        self.sizes[s] = size
        return s

    def tensors_for_edge(self, group):
        r = self.rng
        u = r.random()
        k = 2 if u < 0.8 or len(group) < 3 else 3 if u < 0.92 or len(group) < 4 else r.randint(4, min(len(group), 6))
        return r.sample(group, k)

    def connect(self):
        """Edges within one or more groups of tensors (several groups: outer products)."""
        r = self.rng
        order = list(range(self.n))
        r.shuffle(order)
        groups = [order]
        if self.n >= 3 and r.random() < 0.12:
            cut = r.randint(1, self.n - 1)
            groups = [order[:cut], order[cut:]]
        for g in groups:
            if len(g) == 1:
                continue
            for i in range(1, len(g)):  # a spanning tree keeps the group connected
                s = self.new_index()
                for t in (g[i], g[r.randrange(i)]):
                    self.terms[t].append(s)
            for _ in range(r.randint(0, len(g))):  # and some loops
                s = self.new_index()
                for t in self.tensors_for_edge(g):
                    self.terms[t].append(s)

    def decorate(self):
        r = self.rng
        for _ in range(r.choice([0, 0, 1, 1, 2, 3])):  # open indices, on one tensor or several
            s = self.new_index()
            for t in r.sample(range(self.n), 1 if r.random() < 0.7 else min(self.n, 2)):
                self.terms[t].append(s)
            self.output.append(s)
        if r.random() < 0.15:  # an index only one tensor carries, summed away
            self.terms[r.randrange(self.n)].append(self.new_index())
        for t in self.terms:
            r.shuffle(t)
        if r.random() < 0.12:  # an index repeated within one operand: a trace or a diagonal
            t = self.terms[r.randrange(self.n)]
            if t:
                t.insert(r.randrange(len(t) + 1), r.choice(t))
        if r.random() < 0.05:  # a kept index that is also shared (a batch index)
            shared = [s for s in self.sizes if s not in self.output]
            if shared:
                self.output.append(r.choice(shared))
        r.shuffle(self.output)

    def spec(self):
        inputs = ",".join("".join(t) for t in self.terms)
        u = self.rng.random()
        if u < 0.15:
            return inputs  # implicit: the indices seen once, sorted
        if u < 0.2:
            return inputs + "->"  # a scalar
        return inputs + "->" + "".join(self.output)

    def limit(self):
        r = self.rng
        if r.random() >= 0.15:
            return None
        if r.random() < 0.4:
            return "max_input"
        largest = max(math.prod(self.sizes[s] for s in t) for t in self.terms)
        return r.choice([largest, 2 * largest, largest // 2 + 1, r.randint(1, 4 * largest)])

    def make(self):
        self.connect()
        self.decorate()
        for cap in (3, 2):  # most costs within txmath's 128-bit count (large greedy ones beyond)
            if sum(math.log2(v) for v in self.sizes.values()) + math.log2(2 * self.n) > 110:
                self.sizes = {s: min(v, cap) for s, v in self.sizes.items()}
        spec = self.spec()
        sizes = {s: self.sizes[s] for s in sorted(self.sizes, key=lambda c: spec.index(c))}
        return {"class": self.cls, "spec": spec, "sizes": sizes, "memory_limit": self.limit()}


def dp_objective(info):
    """DynamicProgramming(minimize='flops')'s figure for the path (see the module docstring)."""
    total = 0
    out = info.output_subscript
    for _, _, einsum_str, _, _ in info.contraction_list:
        lhs, rhs = einsum_str.split("->")
        ops = lhs.split(",")
        if len(ops) == 2 and (set(ops[0]) & set(ops[1])) - set(out):
            total += math.prod(info.size_dict[c] for c in set(ops[0]) | set(ops[1]))
    return total


def run(oe, case, optimize):
    shapes = [[case["sizes"][c] for c in t] for t in case["spec"].split("->")[0].split(",")]
    try:
        path, info = oe.contract_path(case["spec"], *shapes, shapes=True, optimize=optimize,
                                      memory_limit=case["memory_limit"])
    except RuntimeError as e:  # dp: no contraction fits the memory limit
        return {"error": str(e)}
    r = {"path": [list(step) for step in path], "opt_cost": int(info.opt_cost),
         "largest_intermediate": max(info.size_list, default=1)}
    if optimize == "dp":
        r["dp_objective"] = dp_objective(info)
    case.setdefault("naive_cost", int(info.naive_cost))
    return r


class AscendingPairs:
    """itertools, with combinations() over a set taken in ascending order."""

    def __getattr__(self, name):
        return getattr(itertools, name)

    @staticmethod
    def combinations(x, r):
        return itertools.combinations(sorted(x) if isinstance(x, (set, frozenset)) else x, r)


def calc_k12_flops_as_reported(inputs, output, remaining, i, j, size_dict):
    """paths.calc_k12_flops, inner whenever the step sums any index (as contract_path reports)."""
    from opt_einsum.helpers import flop_count
    either = inputs[i] | inputs[j]
    keep = frozenset.union(output, *map(inputs.__getitem__, remaining - {i, j}))
    return either & keep, flop_count(either, bool(either - keep), 2, size_dict)


def run_patched(oe, case, optimize, name, value):
    import opt_einsum.paths as paths
    saved = getattr(paths, name)
    setattr(paths, name, value)
    try:
        return run(oe, case, optimize)
    finally:
        setattr(paths, name, saved)


def variants(oe, case):
    """The patched runs (see the module docstring)."""
    r = {}
    if case["class"] == "optimal":
        r["optimal/reported_cost"] = run_patched(oe, case, "optimal", "calc_k12_flops", calc_k12_flops_as_reported)
    if "branch-1" in case["opt_einsum"]:
        asc = run_patched(oe, case, "branch-1", "itertools", AscendingPairs())
        if asc["path"] != case["opt_einsum"]["branch-1"]["path"]:
            r["branch-1/ascending"] = asc
    return r


def optimizers(case):
    greedy = "greedy" if case["memory_limit"] is None else "branch-1"
    return {"optimal": ["optimal", "dp", greedy], "dp": ["dp", greedy], "greedy": [greedy]}[case["class"]]


def main():
    restart_with_fixed_hash_seed()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM_PATH"),
                    help="folder holding the opt_einsum package (default: $OPT_EINSUM_PATH)")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    if args.opt_einsum:
        sys.path.insert(0, args.opt_einsum)
    import opt_einsum as oe

    rng = random.Random(args.seed)
    cases = []
    for cls, count in CLASSES:
        for _ in range(count):
            case = CaseMaker(rng, cls).make()
            case["opt_einsum"] = {o: run(oe, case, o) for o in optimizers(case)}
            case["opt_einsum"].update(variants(oe, case))
            cases.append(case)
    doc_head = {
        "generated_by": f"PYTHONHASHSEED=0 scripts/einsum_compare.py --seed {args.seed}",
        "opt_einsum_version": oe.__version__,
        "opt_einsum_commit": "2ebc7b809cf0e1f584fe70bc90d2c0e6b5b7c521",
        "conventions": {
            "path": "linear ids, as opt_einsum: each step pops those positions and appends its result",
            "opt_cost": "sum over the steps of helpers.flop_count",
            "largest_intermediate": "max of PathInfo.size_list (the step results; 1 with no step)",
            "dp_objective": "sum over pairwise steps whose operands share a non-output index of the product of the step's index sizes",
            "memory_limit": "null: none; 'max_input'; or a number of elements",
        },
        "counts": {cls: count for cls, count in CLASSES},
    }
    # One case a line: small diffs when the generator changes.
    out = sys.stdout
    out.write(json.dumps(doc_head, indent=1, ensure_ascii=False)[:-2] + ',\n "cases": [\n')
    for i, c in enumerate(cases):
        sep = ",\n" if i + 1 < len(cases) else "\n"
        out.write("  " + json.dumps(c, ensure_ascii=False, separators=(",", ":")) + sep)
    out.write(" ]\n}\n")


if __name__ == "__main__":
    main()
