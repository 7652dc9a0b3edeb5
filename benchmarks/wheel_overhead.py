"""Section 7: a warm wheel build with the harmony hook against a build that never imports hatch-harmony.

    python benchmarks/wheel_overhead.py                  # 41 rounds, about 2 minutes on 2 cores
    python benchmarks/wheel_overhead.py --runs 21 --note "the machine was shared"

Issue 15, point 7. `hatch build` builds the wheel of a connector project too, and the
harmony hook runs for it. Four variants of the example connector (copied as projects.py
does, with the README's `[tool.hatch.build.targets.wheel] bypass-selection = true`),
interleaved round by round, each build a fresh `python -m hatchling build -t wheel`:

* hook (warm): harmony.lock and build/harmony/MANIFEST.MF from a first build against the
  emulator, then HARMONY_OFFLINE=1 and no credentials (0 requests), in this interpreter;
* hook disabled, hatch-harmony installed: the same project with `enable-by-default = false`
  on the harmony hook, in this interpreter;
* hook disabled, hatch-harmony never imported (the verdict's baseline): the same disabled
  project, built by a venv that mirrors this interpreter's site-packages without hatch-harmony
  (baseline_venvs.mirror): the same hatchling and other distributions, nothing to import;
* hook disabled, hatchling alone: the same, built by a venv holding only hatchling and its
  requirements at the same versions (baseline_venvs.hatchling_alone; pip, the registry once),
  to show what the rest of an environment costs a build.

Checked, else exit 1: the four wheels are byte-identical, the warm builds make 0 requests
and take the warm path (the hook's status line), the venvs have the same hatchling and no
hatch-harmony, and `-X importtime` finds hatch_harmony imported by the hook variant alone.
Where the time goes: `-X importtime` of the same builds (the modules only the hook variant
imports, grouped by the import that pulled them in), the in-process probe (warm_probe.py:
hatchling's plugin load and the hook's `initialize`), importlib.metadata's scan of the
installed distributions in each interpreter, and `import hatch_harmony.hooks` on its own.

The section is written into RESULTS.md between its own markers; benchmarks/run.py keeps it
(it does not run it: run.py needs no network, this needs pip's registry for one baseline).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import baseline_venvs, section  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    BenchmarkError,
    Measured,
    Summary,
    clean_env,
    interleave,
    paired_difference_ms,
    paired_ratio,
    run_measured,
)
from benchmarks.imports import ImportLine, own, parse_importtime  # noqa: E402
from benchmarks.overhead import hatchling_command, run_probe, warm_env  # noqa: E402
from benchmarks.projects import WHEEL_TABLE, copy_example, make_disabled_copy  # noqa: E402
from benchmarks.wheel_model import (  # noqa: E402
    ALONE,
    END,
    HOOK,
    IMPORT_HOOKS,
    INSTALLED,
    NEVER,
    START,
    ImportRoot,
    Pair,
    Scan,
    WheelResult,
)
from benchmarks.wheel_report import render  # noqa: E402
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"

#: Run by each interpreter: what pluggy's `load_setuptools_entrypoints` does before it imports a
#: plugin, read every installed distribution's entry points (importlib.metadata imported first:
#: in a fresh interpreter it imports ~100 modules that a build has mostly imported already).
_SCAN = """\
import importlib.metadata, json, time
start = time.perf_counter()
dists = list(importlib.metadata.distributions())
plugins = [ep.value for d in dists for ep in d.entry_points if ep.group == "hatch"]
ms = (time.perf_counter() - start) * 1000
print(json.dumps({"scan_ms": ms, "distributions": len(dists), "plugins": plugins}))
"""


def _scan(python: Path | str, cwd: Path, env: dict[str, str], runs: int) -> Scan:
    reports = [json.loads(run_measured([str(python), "-c", _SCAN], cwd, env)[1].stdout) for _ in range(runs)]
    return Scan(
        scan_ms=statistics.median(r["scan_ms"] for r in reports),
        distributions=int(reports[-1]["distributions"]),
        plugins=tuple(reports[-1]["plugins"]),
    )


def _roots(lines: list[ImportLine]) -> dict[str, str]:
    """module -> the top-level import (depth 0) that pulled it in (-X importtime prints children first)."""
    roots: dict[str, str] = {}
    root = ""
    for line in reversed(lines):
        if line.depth == 0:
            root = line.module
        roots[line.module] = root
    return roots


def _median_pairs(values: dict[str, list[tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """module -> (median self, median cumulative), by cumulative, largest first."""
    medians = {
        module: (statistics.median(v[0] for v in pairs), statistics.median(v[1] for v in pairs))
        for module, pairs in values.items()
    }
    return dict(sorted(medians.items(), key=lambda kv: -kv[1][1]))


def _extra(
    builds: list[list[ImportLine]], others: list[list[ImportLine]]
) -> tuple[tuple[ImportRoot, ...], float]:
    """What `builds` import and no build of `others` does, by root; and the median of the per-build sums.

    A module that `others` import too, wherever, is not extra: only its place in the order changed.
    """
    absent = {x.module for lines in others for x in lines}
    per_root: dict[str, list[float]] = {}
    modules: dict[str, dict[str, list[float]]] = {}  # root -> module -> self times
    totals: list[float] = []
    for lines in builds:
        roots = _roots(lines)
        sums: dict[str, float] = {}
        for x in lines:
            if x.module not in absent:
                root = roots[x.module]
                sums[root] = sums.get(root, 0.0) + x.self_us / 1000
                modules.setdefault(root, {}).setdefault(x.module, []).append(x.self_us / 1000)
        for root, ms in sums.items():
            per_root.setdefault(root, []).append(ms)
        totals.append(sum(sums.values()))
    out = []
    for root, values in per_root.items():
        medians = {module: statistics.median(ms) for module, ms in modules[root].items()}
        out.append(
            ImportRoot(
                root,
                len(medians),
                statistics.median(values + [0.0] * (len(builds) - len(values))),  # a build without: 0
                by_module=tuple(sorted(medians.items(), key=lambda kv: -kv[1])),
            )
        )
    return tuple(sorted(out, key=lambda r: -r.self_ms)), statistics.median(totals) if totals else 0.0


def _slower(
    builds: list[list[ImportLine]], others: list[list[ImportLine]], count: int = 5
) -> tuple[tuple[float, float], tuple[tuple[str, float, float], ...]]:
    """Import self time of `builds` against `others`: the medians of the per-build sums, and the
    modules whose median self times differ most (a module one side does not import counts 0 there;
    a failed optional import is logged too, and costs little).
    """

    def medians(side: list[list[ImportLine]]) -> dict[str, float]:
        times: dict[str, list[float]] = {}
        for lines in side:
            for x in lines:
                times.setdefault(x.module, []).append(x.self_us / 1000)
        return {module: statistics.median(ms + [0.0] * (len(side) - len(ms))) for module, ms in times.items()}

    a, b = medians(builds), medians(others)
    gaps = sorted(((m, a.get(m, 0.0), b.get(m, 0.0)) for m in {*a, *b}), key=lambda t: t[2] - t[1])
    totals = tuple(
        statistics.median(sum(x.self_us for x in lines) / 1000 for lines in side) for side in (builds, others)
    )
    return (totals[0], totals[1]), tuple(gaps[:count])


def _own_modules(builds: list[list[ImportLine]]) -> dict[str, tuple[float, float]]:
    values: dict[str, list[tuple[float, float]]] = {}
    for lines in builds:
        for x in lines:
            if own(x.module):
                values.setdefault(x.module, []).append((x.self_us / 1000, x.cumulative_us / 1000))
    return _median_pairs(values)


def _hooks_import(
    python: str, cwd: Path, env: dict[str, str], runs: int
) -> tuple[dict[str, tuple[float, float]], float]:
    """`import hatch_harmony.hooks` after hatchling's modules: each hatch_harmony module, and their total."""
    command = [python, "-X", "importtime", "-c", IMPORT_HOOKS]
    run_measured(command, cwd, env)  # warm-up: bytecode cache
    builds = [parse_importtime(run_measured(command, cwd, env)[1].stderr) for _ in range(runs)]
    totals = []
    for lines in builds:
        roots = _roots(lines)  # everything under the top-level imports of hatch_harmony(.hooks)
        totals.append(sum(x.self_us for x in lines if own(roots[x.module])) / 1000)
    return _own_modules(builds), statistics.median(totals)


def _wheel(project: Path) -> Path:
    wheels = sorted((project / "dist").glob("*.whl"))
    if len(wheels) != 1:
        raise BenchmarkError(f"{project / 'dist'}: expected one wheel, found {[w.name for w in wheels]}")
    return wheels[0]


def _status_line(measured: Measured) -> str:
    lines = (measured.stderr + measured.stdout).splitlines()
    return next((line for line in lines if line.startswith("harmony: ")), "(no line)")


def _compare(a: list[Measured], b: list[Measured]) -> Pair:
    quartiles = statistics.quantiles((x.seconds / y.seconds for x, y in zip(a, b, strict=True)), n=4)
    return Pair(paired_ratio(a, b), paired_difference_ms(a, b), (quartiles[0], quartiles[2]))


def _runner(command: list[str], cwd: Path, env: dict[str, str]) -> Callable[[], Measured]:
    return lambda: run_measured(command, cwd, env)[1]


def measure(workdir: Path, emulator: Emulator, pycache: Path, runs: int) -> WheelResult:
    from importlib.metadata import version

    venvs = {
        NEVER: baseline_venvs.mirror(workdir / "venv-mirror"),
        ALONE: baseline_venvs.hatchling_alone(workdir / "venv-hatchling-alone"),
    }
    warm = copy_example(workdir / "wheel-hook", pyproject_extra=WHEEL_TABLE)
    emulator.reset_counts()
    first_env = clean_env(
        pycache, HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD
    )
    run_measured(hatchling_command("wheel"), warm, first_env)  # registers: lock and manifest written
    first_counts = {route: n for route, n in emulator.counts().items() if n}
    if not (warm / "harmony.lock").is_file() or not (warm / "build/harmony/MANIFEST.MF").is_file():
        raise BenchmarkError(f"{warm}: the first build wrote no lock or manifest")
    env = warm_env(pycache, emulator)  # the same environment for every variant: only the hook differs
    run_measured(hatchling_command("wheel"), warm, env)  # the first offline build leaves the warm stamp

    commands = {HOOK: (hatchling_command("wheel"), warm)}
    for name, python in ((INSTALLED, sys.executable), *((n, str(v.python)) for n, v in venvs.items())):
        project = make_disabled_copy(warm, workdir / f"wheel-{len(commands)}")
        commands[name] = (hatchling_command("wheel", python), project)
    emulator.reset_counts()
    results = interleave(
        {name: _runner(command, cwd, env) for name, (command, cwd) in commands.items()}, runs, warmup=2
    )
    traced = {name: [command[0], "-X", "importtime", *command[1:]] for name, (command, _) in commands.items()}
    traces = interleave(
        {name: _runner(traced[name], commands[name][1], env) for name in commands}, runs, warmup=0
    )
    probe = run_probe(warm, env, runs, workdir, target="wheel")
    warm_requests = sum(emulator.counts().values())

    scratch = commands[INSTALLED][1]
    scans = {
        name: _scan(command[0], scratch, env, runs) for name, (command, _) in commands.items() if name != HOOK
    }
    parsed = {name: [parse_importtime(m.stderr) for m in measured] for name, measured in traces.items()}
    hook_roots, hook_extra = _extra(parsed[HOOK], parsed[NEVER])
    environment_totals, environment_slower = _slower(parsed[NEVER], parsed[ALONE])
    hooks_modules, hooks_ms = _hooks_import(sys.executable, scratch, env, runs)
    wheels = {name: _wheel(cwd).read_bytes() for name, (_, cwd) in commands.items()}
    compared = ((HOOK, NEVER), (HOOK, ALONE), (HOOK, INSTALLED), (INSTALLED, NEVER), (NEVER, ALONE))
    return WheelResult(
        runs=runs,
        summaries={name: Summary.of(measured) for name, measured in results.items()},
        pairs={(a, b): _compare(results[a], results[b]) for a, b in compared},
        venvs=venvs,
        scans=scans,
        wheels_identical=len(set(wheels.values())) == 1,
        imports_harmony={
            name: any(own(x.module) for b in builds for x in b) for name, builds in parsed.items()
        },
        first_build_requests=first_counts,
        warm_requests=warm_requests,
        warm_line=_status_line(results[HOOK][-1]),
        probe=probe,
        hook_roots=hook_roots,
        hook_extra_ms=hook_extra,
        environment_import_ms=environment_totals,
        environment_slower=environment_slower,
        build_own=_own_modules(parsed[HOOK]),
        hooks_import=hooks_modules,
        hooks_import_ms=hooks_ms,
        hatchling=version("hatchling"),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = section.parser(
        "benchmarks/wheel_overhead.py",
        __doc__.splitlines()[0],
        41,
        "rounds (default 41; 15 at least for a verdict)",
    )
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians of fewer runs mean little)")
    return section.run(
        "benchmarks/wheel_overhead.py",
        argv,
        args,
        banner="rounds x 4 variants of hatchling build -t wheel",
        prefix="hatch-harmony-wheel-bench-",
        measure=measure,
        render=render,
        markers=(START, END),
    )


if __name__ == "__main__":
    raise SystemExit(main())
