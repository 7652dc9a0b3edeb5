"""Mutation testing of the rule modules: does a one-token change to a rule make a test fail?

Not part of the test suite (it runs the tests hundreds of times). Each mutant is the module with
exactly one change, made on its syntax tree:

    comparisons   <  <=  >  >=  ==  !=  in  not in  is  is not   each swapped for its neighbour
    conditions    and <-> or; `not x` -> `x`
    arithmetic    + <-> -
    constants     an integer n -> n + 1; True <-> False (so `repr=False` -> `repr=True` too)
    statements    a `raise` deleted; a call whose result is unused (`check(x)`) deleted

Strings are never mutated (a message's wording is the README's business, not a rule's). A mutant
that unparses to the same code is not counted. The mutant runs in a copy of the package put first
on PYTHONPATH (the checkout is never touched), against the tests that cover its module (`TESTS`
below), with `-x`: any failure, error or timeout kills it. Survivors are listed with their line,
to be explained (equivalent, message text only) or killed by a new test.

Usage (from the repository root, with the test venv):

    .venv/bin/python benchmarks/mutation.py                       # every rule module
    .venv/bin/python benchmarks/mutation.py hatch_harmony/vocabulary.py --limit 20
    .venv/bin/python benchmarks/mutation.py --output benchmarks/MUTATION.md

Exit status 0 always (a score is a measurement); the report goes to stdout, or to --output.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The rule modules and the tests that cover each (the fast ones: no JDK, no hatchling build).
TESTS: dict[str, tuple[str, ...]] = {
    "hatch_harmony/engine/decision.py": (
        "tests/engine/test_registration.py",
        "tests/engine/test_versions.py",
        "tests/engine/test_rule_edges.py",
        "tests/cli/test_status.py",
    ),
    "hatch_harmony/jar_manifest/spec.py": (
        "tests/jar_manifest/test_manifest_parse.py",
        "tests/jar_manifest/test_manifest_write.py",
        "tests/jar_manifest/test_manifest_props.py",
        "tests/test_vocabulary.py",
    ),
    "hatch_harmony/vocabulary.py": (
        "tests/test_vocabulary.py",
        "tests/project/test_manifest_jitterbit.py",
        "tests/project/test_lock.py",
        "tests/project/test_lock_boundaries.py",
        "tests/project/test_adapter.py",
    ),
    "hatch_harmony/engine/shipped_ids.py": (
        "tests/engine/test_rule_edges.py",
        "tests/engine/test_adoption.py",
    ),
    "hatch_harmony/engine/activity_ids.py": ("tests/engine/test_activity_ids.py",),
    "hatch_harmony/project/lock.py": ("tests/project/test_lock.py", "tests/project/test_lock_boundaries.py"),
    "hatch_harmony/jar_manifest/model.py": (
        "tests/jar_manifest/test_manifest_edges.py",
        "tests/jar_manifest/test_manifest_parse.py",
        "tests/jar_manifest/test_manifest_write.py",
        "tests/jar_manifest/test_manifest_props.py",
    ),
    "hatch_harmony/jar_manifest/reader.py": (
        "tests/jar_manifest/test_manifest_edges.py",
        "tests/jar_manifest/test_manifest_parse.py",
        "tests/jar_manifest/test_manifest_props.py",
    ),
    "hatch_harmony/project/connector_manifest.py": (
        "tests/project/test_manifest_jitterbit.py",
        "tests/project/test_manifest_extras.py",
    ),
}

_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True)
class Mutant:
    index: int
    line: int
    what: str


class _Mutator(ast.NodeTransformer):
    """Counts the mutation points in visiting order; changes only the `target`-th one."""

    def __init__(self, target: int = -1) -> None:
        self.target = target
        self.points: list[Mutant] = []

    def _point(self, node: ast.AST, what: str) -> bool:
        index = len(self.points)
        self.points.append(Mutant(index, getattr(node, "lineno", 0), what))
        return index == self.target

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for position, op in enumerate(node.ops):
            swapped = _SWAPS.get(type(op))
            if swapped is not None and self._point(node, f"{type(op).__name__} -> {swapped.__name__}"):
                node.ops[position] = swapped()
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        if self._point(node, f"{type(node.op).__name__} -> {type(other).__name__}"):
            node.op = other
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._point(node, "not x -> x"):
            return node.operand
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        swap = {ast.Add: ast.Sub, ast.Sub: ast.Add}.get(type(node.op))
        if swap is not None and self._point(node, f"{type(node.op).__name__} -> {swap.__name__}"):
            node.op = swap()
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bool):
            if self._point(node, f"{node.value} -> {not node.value}"):
                return ast.copy_location(ast.Constant(not node.value), node)
        elif isinstance(node.value, int) and self._point(node, f"{node.value} -> {node.value + 1}"):
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node  # message text: never mutated

    def visit_Raise(self, node: ast.Raise) -> ast.AST:
        self.generic_visit(node)
        if self._point(node, "raise deleted"):
            return ast.copy_location(ast.Pass(), node)
        return node

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        if isinstance(node.value, ast.Constant):
            return node  # a docstring
        self.generic_visit(node)
        if isinstance(node.value, ast.Call) and self._point(node, "call deleted"):
            return ast.copy_location(ast.Pass(), node)
        return node


def mutants(source: str) -> list[Mutant]:
    counter = _Mutator()
    counter.visit(ast.parse(source))
    return counter.points


def mutated(source: str, index: int) -> str | None:
    """The module with mutant `index` applied, or None when that changes nothing."""
    tree = ast.parse(source)
    _Mutator(index).visit(tree)
    ast.fix_missing_locations(tree)
    text = ast.unparse(tree)
    return None if text == ast.unparse(ast.parse(source)) else text


@dataclass(frozen=True)
class Result:
    module: str
    total: int
    killed: int
    survivors: tuple[Mutant, ...]
    seconds: float

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0


def _killed(copy: Path, tests: tuple[str, ...], timeout: float) -> bool:
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--import-mode=append"]
    paths = [str(ROOT / test) for test in tests]
    try:  # from the copy: `python -m` puts the working folder first on sys.path
        done = subprocess.run(
            [*command, *paths], cwd=copy, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return True
    return done.returncode != 0


def run_module(module: str, *, limit: int | None, timeout: float) -> Result:
    source = (ROOT / module).read_text(encoding="utf-8")
    points = mutants(source)[:limit]
    started = time.monotonic()
    killed, survivors, total = 0, [], 0
    with tempfile.TemporaryDirectory(prefix="hh-mutant-") as temp:
        copy = Path(temp)
        shutil.copytree(ROOT / "hatch_harmony", copy / "hatch_harmony")
        target = copy / module
        for mutant in points:
            text = mutated(source, mutant.index)
            if text is None:
                continue
            total += 1
            target.write_text(text, encoding="utf-8")
            if _killed(copy, TESTS[module], timeout):
                killed += 1
            else:
                survivors.append(mutant)
            verdict = "SURVIVED" if survivors[-1:] == [mutant] else "killed"
            print(f"  {module}:{mutant.line} {mutant.what}: {verdict}", file=sys.stderr, flush=True)
        target.write_text(source, encoding="utf-8")
    return Result(module, total, killed, tuple(survivors), time.monotonic() - started)


def report(results: list[Result]) -> Iterator[str]:
    yield "| module | mutants | killed | score | minutes |"
    yield "|---|---|---|---|---|"
    for r in results:
        yield f"| `{r.module}` | {r.total} | {r.killed} | {r.score:.0f} % | {r.seconds / 60:.1f} |"
    for r in results:
        if r.survivors:
            yield ""
            yield f"Survivors of `{r.module}`:"
            yield ""
            yield from (f"- line {m.line}: {m.what}" for m in r.survivors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(TESTS), help="rule modules (default: all)")
    parser.add_argument("--limit", type=int, default=None, help="at most N mutants per module")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per test run (then: killed)")
    parser.add_argument("--output", type=Path, help="write the report here instead of stdout")
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in TESTS]
    if unknown:
        parser.error(f"not a rule module: {', '.join(unknown)} (known: {', '.join(TESTS)})")
    results = [run_module(m, limit=args.limit, timeout=args.timeout) for m in args.modules]
    text = "\n".join(report(results)) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
