"""The tensor networks of include/txmath/einsum_random.hpp, label for label, for the scripts
that run opt_einsum on the same expressions as txmath's tests and benchmarks
(time_opt_einsum.py, einsum_random_greedy.py, einsum_lattice_dp.py,
einsum_greedy_beyond_count.py). Each builder returns (expr, shapes) as opt_einsum's
contract_path(expr, *shapes, shapes=True) takes them. Also two helpers of those scripts:
pin_hash_seed() and git_commit().
"""
import os
import subprocess
import sys

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
    """txmath::einsum_symbol, opt_einsum's get_symbol: a-z, A-Z, then from U+00C0."""
    if i < 26:
        return chr(ord("a") + i)
    if i < 52:
        return chr(ord("A") + i - 26)
    return chr(0xC0 + i - 52)


def network(inputs, output, sizes):
    expr = ",".join("".join(t) for t in inputs) + "->" + "".join(output)
    return expr, [tuple(sizes[c] for c in t) for t in inputs]


def random_network(n, regularity, n_out, seed):
    """txmath::random_network."""
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
    return network(inputs, output, sizes)


def lattice_network(rows, cols, bond):
    """txmath::lattice_network: horizontal edges first, then vertical; no open index."""
    inputs = [[] for _ in range(rows * cols)]
    sizes = {}
    edges = [(r * cols + c, r * cols + c + 1) for r in range(rows) for c in range(cols - 1)]
    edges += [(r * cols + c, (r + 1) * cols + c) for r in range(rows - 1) for c in range(cols)]
    for i, (a, b) in enumerate(edges):
        s = symbol(i)
        sizes[s] = bond
        inputs[a].append(s)
        inputs[b].append(s)
    return network(inputs, [], sizes)


def mps_overlap(sites, d, bond):
    """txmath::mps_overlap: physical labels, then the ket's bonds, then the bra's."""
    p = [symbol(i) for i in range(sites)]
    b = [symbol(sites + i) for i in range(sites - 1)]
    c = [symbol(2 * sites - 1 + i) for i in range(sites - 1)]
    sizes = {s: d for s in p}
    sizes.update({s: bond for s in b + c})
    inputs = []
    for bonds in (b, c):
        for i in range(sites):
            t = ([bonds[i - 1]] if i > 0 else []) + [p[i]] + ([bonds[i]] if i + 1 < sites else [])
            inputs.append(t)
    return network(inputs, [], sizes)


def sizes_of(expr, shapes):
    """The size of each label of (expr, shapes), as a dict."""
    sizes = {}
    for term, shape in zip(expr.split("->")[0].split(","), shapes):
        for s, v in zip(term, shape):
            sizes[s] = v
    return sizes


def pin_hash_seed():
    """Restarts the script under PYTHONHASHSEED=0 unless it runs so: opt_einsum iterates over
    sets of index letters, whose order follows Python's per-process string hashing."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))


def git_commit(path):
    """' (git <short hash>)' of the checkout at path, or '' where there is none."""
    if not path:
        return ""
    r = subprocess.run(["git", "-C", path, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return f" (git {r.stdout.strip()})" if r.returncode == 0 else ""
