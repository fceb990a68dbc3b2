#!/usr/bin/env python3
"""Writes benchmarks/data/opt_einsum_test_cases.json: einsums that txmath did not design.

Usage: opt_einsum_test_cases.py [--opt-einsum PATH] [--commit SHA] > benchmarks/data/opt_einsum_test_cases.json

The cases are opt_einsum's own test expressions, the `tests` list of
opt_einsum/tests/test_contract.py (run there under every path optimizer), each with the shapes
opt_einsum's test helper build_shapes gives it (opt_einsum/testing.py's default index sizes,
2 to 10). Both files are read as text (ast), so neither numpy nor pytest is needed; the
opt_einsum checkout comes from --opt-einsum PATH or OPT_EINSUM_PATH. Repeated expressions are
kept once, in first-seen order. benchmarks/bench_einsum_external.cpp times txmath on them and
scripts/external_speed.py times opt_einsum on the same and prints the ratios.
"""
import argparse
import ast
import json
import os
import subprocess
import sys


def assigned(path, name):
    """The literal value assigned to `name` at the top of a Python file."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    raise SystemExit(f"opt_einsum_test_cases.py: no top-level `{name} = ...` in {path}")


def default_sizes(testing_py):
    """opt_einsum.testing._default_dim_dict, rebuilt from its three literals."""
    no_collision = assigned(testing_py, "_no_collision_chars")
    # "".join(chr(i) for i in range(a, b)): read a and b from the call.
    rng = no_collision.args[0].generators[0].iter
    start, stop = (ast.literal_eval(a) for a in rng.args)
    chars_node = assigned(testing_py, "_valid_chars")
    chars = ast.literal_eval(chars_node.left) + "".join(chr(i) for i in range(start, stop))
    sizes = ast.literal_eval(assigned(testing_py, "_sizes"))
    if len(chars) != len(sizes):
        raise SystemExit("opt_einsum_test_cases.py: _valid_chars and _sizes differ in length")
    return dict(zip(chars, sizes))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opt-einsum", default=os.environ.get("OPT_EINSUM_PATH"), required=False)
    ap.add_argument("--commit", help="the checkout's commit, when it is not a git repository")
    args = ap.parse_args()
    if not args.opt_einsum:
        raise SystemExit("opt_einsum_test_cases.py: give --opt-einsum PATH (an opt_einsum checkout) or set OPT_EINSUM_PATH")
    pkg = os.path.join(args.opt_einsum, "opt_einsum")
    exprs = ast.literal_eval(assigned(os.path.join(pkg, "tests", "test_contract.py"), "tests"))
    sizes = default_sizes(os.path.join(pkg, "testing.py"))
    seen, cases = set(), []
    for e in exprs:
        if e in seen:
            continue
        seen.add(e)
        terms = e.split("->")[0].split(",")
        cases.append({"spec": e, "shapes": [[sizes[c] for c in t] for t in terms]})
    commit = args.commit
    if not commit:
        try:
            commit = subprocess.run(["git", "-C", args.opt_einsum, "rev-parse", "--short", "HEAD"],
                                    capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown"
    doc = {
        "source": "opt_einsum/tests/test_contract.py `tests`, shapes from opt_einsum/testing.py build_shapes "
                  "(default index sizes); written by scripts/opt_einsum_test_cases.py",
        "opt_einsum_commit": commit,
        "cases": cases,
    }
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, ensure_ascii=False)[:-1]
    rows = ",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in cases)
    sys.stdout.write(f'{head}, "cases": [\n{rows}\n]}}\n')  # one case a line


if __name__ == "__main__":
    main()
