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

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import baseline_venvs, report  # noqa: E402
from benchmarks.baseline_venvs import Venv  # noqa: E402
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
from benchmarks.machine import load_average  # noqa: E402
from benchmarks.overhead import Probe, hatchling_command, run_probe, warm_env  # noqa: E402
from benchmarks.projects import WHEEL_TABLE, copy_example, make_disabled_copy  # noqa: E402
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator  # noqa: E402

HOOK = "hook (warm)"
INSTALLED = "hook disabled, hatch-harmony installed"
NEVER = "hook disabled, hatch-harmony never imported"
ALONE = "hook disabled, hatchling alone"
TARGET_RATIO = 1.05
START, END = "<!-- benchmarks/wheel_overhead.py: start -->", "<!-- benchmarks/wheel_overhead.py: end -->"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
WARM_LINE = "harmony: nothing it depends on changed since the last build"

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

#: `import hatch_harmony.hooks` after what a wheel build has imported when hatchling loads its
#: plugins (its CLI, the wheel builder, the hook interface, importlib.metadata): the plugin's
#: own import cost. In the build itself -X importtime cannot show it: pluggy imports the module
#: with importlib.import_module, which -X importtime does not log (only the imports inside it).
_IMPORT_HOOKS = (
    "import hatchling.cli, hatchling.builders.wheel, hatchling.builders.hooks.plugin.interface, "
    "hatchling.plugin.manager, importlib.metadata\n"
    "import hatch_harmony.hooks"
)


@dataclass(frozen=True)
class Scan:
    """importlib.metadata's scan of the installed distributions in one interpreter (median ms)."""

    scan_ms: float
    distributions: int
    plugins: tuple[str, ...]


@dataclass(frozen=True)
class ImportRoot:
    """Modules one variant imports and another does not, by the top-level import that pulled them in."""

    root: str
    modules: int
    self_ms: float  # median over the builds of the summed self times
    by_module: tuple[tuple[str, float], ...]  # its modules' median self times (ms), largest first


@dataclass(frozen=True)
class Pair:
    """Per-round comparison of two variants: median of the ratios and of the differences."""

    ratio: float
    diff_ms: float
    ratio_quartiles: tuple[float, float]


@dataclass(frozen=True)
class WheelResult:
    runs: int
    summaries: dict[str, Summary]
    pairs: dict[tuple[str, str], Pair]  # (numerator, denominator) -> per-round figures
    venvs: dict[str, Venv]  # NEVER, ALONE -> the interpreter that builds them
    scans: dict[str, Scan]  # variant -> importlib.metadata's scan in its interpreter
    wheels_identical: bool
    imports_harmony: dict[str, bool]  # variant -> hatch_harmony in its -X importtime output
    first_build_requests: dict[str, int]
    warm_requests: int
    warm_line: str
    probe: Probe
    hook_roots: tuple[ImportRoot, ...]  # what the hook variant imports and the baseline does not
    hook_extra_ms: float
    #: import self time, summed per build (median): the mirror's builds and hatchling alone's
    environment_import_ms: tuple[float, float]
    environment_slower: tuple[tuple[str, float, float], ...]  # module, median self ms in each: largest gaps
    build_own: dict[str, tuple[float, float]]  # hatch_harmony module in the build -> (self, cumulative) ms
    hooks_import: dict[str, tuple[float, float]]  # the same for `import hatch_harmony.hooks` alone
    hooks_import_ms: float  # the hatch_harmony modules' time of that import (roots summed), median
    hatchling: str

    @property
    def verdict(self) -> Pair:
        return self.pairs[(HOOK, NEVER)]

    @property
    def met(self) -> bool:
        return self.verdict.ratio <= TARGET_RATIO

    @property
    def correct(self) -> bool:
        return (
            self.wheels_identical
            and self.warm_requests == 0
            and self.warm_line.startswith(WARM_LINE)
            and self.imports_harmony == {HOOK: True, INSTALLED: False, NEVER: False, ALONE: False}
        )


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
    command = [python, "-X", "importtime", "-c", _IMPORT_HOOKS]
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


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _yes(value: bool) -> str:
    return "**yes**" if value else "**NO**"


def _routes(counts: dict[str, int]) -> str:
    return f"{sum(counts.values())} ({', '.join(f'{route} {n}' for route, n in counts.items())})"


def _pair(r: WheelResult, a: str, b: str) -> str:
    pair = r.pairs[(a, b)]
    return f"{pair.ratio:.3f} ({pair.diff_ms:+.1f} ms per round)"


def _largest(root: ImportRoot) -> str:
    return ", ".join(f"{module} {ms:.2f}" for module, ms in root.by_module[:4])


def code_state() -> str:
    """The commit measured, and whether hatch_harmony/ had uncommitted changes (others edit it)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    status = subprocess.run(
        [*git, "status", "--porcelain", "--", "hatch_harmony"], capture_output=True, text=True, check=False
    )
    if head.returncode != 0:
        return "hatch_harmony from a tree that is not a git checkout"
    changed = len(status.stdout.splitlines())
    dirty = f"{changed} uncommitted change(s) under hatch_harmony/" if changed else "hatch_harmony/ clean"
    return f"hatch_harmony at commit {head.stdout.strip()} ({dirty})"


def _metadata_ms(r: WheelResult) -> float:
    return sum(x.self_ms for x in r.hook_roots if x.root.startswith("importlib.metadata"))


def _where(r: WheelResult) -> list[str]:
    p = r.probe
    here, mirror, alone = r.scans[INSTALLED], r.scans[NEVER], r.scans[ALONE]
    lazy = ", ".join(f"`{m}`" for m in p.new_modules) or "none"
    made = ", ".join(f"`{m}` {ms:.2f} ms" for m, ms in p.plugin_load_dataclasses.items()) or "none"
    out = [
        "**Where the time goes.** Inside the hook variant's build (`benchmarks/warm_probe.py RESULT wheel`: "
        "the same build in one process, with hatchling's plugin load and the hook's `initialize` wrapped; "
        f"medians of {p.runs}):",
        "",
        "| | |",
        "|---|---:|",
        "| hatchling's load of third-party plugins (`ThirdPartyPlugins.load`: pluggy imports "
        "importlib.metadata, reads every installed distribution's entry points and imports each `hatch` "
        "plugin); a build pays it only when it asks for a hook or target that hatchling does not ship "
        f"| {_ms(p.plugin_load_ms or 0.0)} |",
        "| - of which importing importlib.metadata and what it needs that the build had not imported yet "
        f"(`-X importtime`, below) | {_ms(_metadata_ms(r))} |",
        f"| - of which reading the entry points of the {here.distributions} distributions installed here "
        f"(hatchling alone: {alone.distributions}, {_ms(alone.scan_ms)}) | {_ms(here.scan_ms)} |",
        "| - of which importing `hatch_harmony.hooks` and what it imports, after hatchling's own modules "
        f"(`-X importtime`, below) | {_ms(r.hooks_import_ms)} |",
        "| - of which creating dataclasses in the bodies of the modules imported (`@dataclass` generates "
        f"and `exec`s each class's methods): {made} | {_ms(sum(p.plugin_load_dataclasses.values()))} |",
        f"| the hook's `initialize`, first call (lazy imports: {lazy}) | {_ms(p.first_ms)} |",
        "| - the same call again (the work alone: the warm-stamp check, whose key holds the wheel's "
        "file-selection inputs, so the packaging check the first build passed is not asked again) "
        f"| {_ms(p.again_ms)} |",
        f"| the whole build in that process (no interpreter start-up) | {_ms(p.build_ms)} |",
        f"| for comparison: per-round difference hook - never imported | {r.verdict.diff_ms:+.1f} ms |",
        "",
        f"`-X importtime` of the same builds ({r.runs} of each variant, interleaved): the modules the hook "
        f"variant imports and the never-imported baseline does not, {_ms(r.hook_extra_ms)} of self time in "
        "all (median of the per-build sums), by the top-level import that pulled them in. "
        "`hatch_harmony.hooks` and the package itself are not among them: pluggy imports the plugin with "
        "`importlib.import_module`, which `-X importtime` does not log (only the imports inside it), hence "
        "the separate import further down.",
        "",
        "| pulled in by | modules | self time | the largest (ms) | whose |",
        "|---|---:|---:|---|---|",
        *(
            f"| `{x.root}` | {x.modules} | {x.self_ms:.2f} ms | {_largest(x)} | "
            f"{'hatch-harmony' if own(x.root) else 'hatchling / pluggy, for a plugin or a hook'} |"
            for x in r.hook_roots
        ),
        "",
        f"hatch_harmony's modules (self / cumulative, medians of {r.runs}): in the build, and imported alone "
        f"after hatchling's modules, `python -X importtime -c '{'; '.join(_IMPORT_HOOKS.splitlines())}'` "
        f"({_ms(r.hooks_import_ms)} in all). A dash: not logged in the build (imported by "
        "`importlib.import_module`), or not imported by the import alone (imported lazily by the hook's "
        "first call):",
        "",
        "| module | in the build | `import hatch_harmony.hooks` alone |",
        "|---|---:|---:|",
    ]
    for module in dict.fromkeys([*r.hooks_import, *r.build_own]):
        cells = []
        for table in (r.build_own, r.hooks_import):
            pair = table.get(module)
            cells.append(f"{pair[0]:.2f} / {pair[1]:.2f} ms" if pair else "-")
        out.append(f"| `{module}` | {cells[0]} | {cells[1]} |")
    ours, theirs = r.environment_import_ms
    out += [
        "",
        f"The environment, {NEVER} against {ALONE} (the same hatchling; {mirror.distributions} against "
        f"{alone.distributions} distributions): `-X importtime` self time of the whole build "
        f"{_ms(ours)} against {_ms(theirs)} (medians of the per-build sums); the largest differences: "
        + ", ".join(f"`{m}` {a:.2f} against {b:.2f} ms" for m, a, b in r.environment_slower)
        + " (a module that is not installed is still logged, as a failed optional import).",
        "",
    ]
    return out


def _missed(r: WheelResult) -> list[str]:
    p, never = r.probe, r.summaries[NEVER].median_ms
    here = r.scans[INSTALLED]
    budget = never * (TARGET_RATIO - 1)
    metadata = _metadata_ms(r)
    discovery = metadata + here.scan_ms
    out = [
        f"**Target missed, why:** the baseline build takes {_ms(never)}, so "
        f"{(TARGET_RATIO - 1) * 100:.0f} % is {_ms(budget)}; the hook variant pays "
        f"{r.verdict.diff_ms:+.1f} ms per round. hatchling's plugin discovery alone (importlib.metadata "
        f"{_ms(metadata)}, the entry-point scan of {here.distributions} distributions {_ms(here.scan_ms)}) "
        f"is {_ms(discovery)}, {discovery / never * 100:.1f} % of the build, and any third-party hatch "
        f"plugin costs it; hatch-harmony's own imports add {_ms(r.hooks_import_ms)} and the hook's first "
        f"call {_ms(p.first_ms)}."
        + (
            " The discovery alone exceeds the budget: in this interpreter no hatch plugin could meet the "
            "target on this build; with fewer distributions installed (a build environment holds hatchling, "
            "hatch-harmony and their requirements) the scan is shorter."
            if discovery > budget
            else ""
        ),
        "",
    ]
    roots = {x.root: x for x in r.hook_roots}
    items = []
    builder = r.build_own.get("hatch_harmony.builder")
    if builder:
        items.append(
            f"`hatch_harmony.builder` ({builder[1]:.1f} ms with what it imports): `hooks.py` imports "
            "`JarBuilder` and the two build_data keys at module level, so every target imports the jar "
            "builder; importing it inside `hatch_register_builder` (which a wheel build never calls: "
            "hatchling finds `wheel` among its own builders before it loads plugins) and the keys from a "
            "leaf leaves it to the jar target"
        )
    warm = roots.get("hatch_harmony.warm")
    foreign = [m for m, _ in warm.by_module if not own(m)] if warm else []
    if warm and foreign:
        foreign_ms = sum(ms for m, ms in warm.by_module if not own(m))
        dataclass_ms = p.plugin_load_dataclasses.get("hatch_harmony.warm", 0.0)
        items.append(
            f"`hatch_harmony.warm` ({warm.self_ms:.1f} ms with what it pulls in): "
            f"{', '.join(f'`{m}`' for m in foreign)} ({foreign_ms:.1f} ms), which the wheel build imports "
            "for the stamp alone"
            + (f", and its dataclass ({dataclass_ms:.2f} ms to create)" if dataclass_ms else "")
        )
    if p.new_modules:
        items.append(
            f"the hook's first call, {_ms(p.first_ms)} (the work alone {_ms(p.again_ms)}): it imports "
            f"{', '.join(f'`{m}`' for m in p.new_modules)} on a warm hit"
        )
    if items:
        out += [
            "**What hatch-harmony could avoid** (changes to `hatch_harmony/`, not made by this benchmark): "
            + "; ".join(items)
            + f". They shrink hatch-harmony's own share ({_ms(r.hooks_import_ms + p.first_ms)}); the plugin "
            "discovery is hatchling's and stays.",
            "",
        ]
    return out


def render(
    r: WheelResult, *, command: str, date: str, seconds: float, loads: tuple[str, str], note: str | None
) -> str:
    never, hook = r.summaries[NEVER], r.summaries[HOOK]
    imported = "; ".join(f"{name}: {'yes' if found else 'no'}" for name, found in r.imports_harmony.items())
    lines = [
        START,
        "## 7. Warm wheel build: the hook against a build that never imports hatch-harmony",
        "",
        f"Generated by `{command}` on {date}, in {seconds:.0f} s, on the machine above (load average "
        f"{loads[0]} at the start, {loads[1]} at the end); {code_state()}; hatchling {r.hatchling} in "
        "every interpreter.",
        "",
        *([f"> **Note:** {note}", ""] if note else []),
        "Issue 15, point 7. A copy of `example_connector/` with the README's "
        "`[tool.hatch.build.targets.wheel] bypass-selection = true`, built with `python -m hatchling build "
        f"-t wheel`: four variants interleaved round by round (order rotated), {r.runs} rounds after 2 "
        "warm-up rounds; each build a fresh process timed from outside, peak RSS from `wait4`; the same "
        "environment variables for all (HARMONY_OFFLINE=1, HARMONY_URL, no credentials, a private "
        "`PYTHONPYCACHEPREFIX`).",
        "",
        f"- **{HOOK}**: harmony.lock and build/harmony/MANIFEST.MF from a first build against the "
        "emulator, the warm-build stamp from a first offline build; this interpreter.",
        f"- **{INSTALLED}**: the same project with `enable-by-default = false` on the harmony hook; this "
        "interpreter, where hatch-harmony is installed.",
        f"- **{NEVER}** (the verdict's baseline): the same disabled project, built by a venv made in the "
        f"temporary folder: {r.venvs[NEVER].description}. hatchling imports every installed `hatch` entry "
        "point when it loads plugins, so only an interpreter without hatch-harmony guarantees that nothing "
        "of it is imported; this one differs from this interpreter by hatch-harmony alone.",
        f"- **{ALONE}**: the same disabled project, built by a venv with hatchling alone: "
        f"{r.venvs[ALONE].description}; it shows what the rest of an environment costs a build.",
        "",
        "Both venvs checked: the same hatchling, no `hatch` entry point, `hatch_harmony` not importable.",
        "",
        *report.summary_rows(r.summaries, NEVER),
        "",
        f"- Hook / never imported: median of per-round ratios **{r.verdict.ratio:.3f}** "
        f"({r.verdict.diff_ms:+.1f} ms per round; target ≤ {TARGET_RATIO:.2f}: "
        f"{'**met**' if r.met else '**MISSED**'}); quartiles of the per-round ratios "
        f"{r.verdict.ratio_quartiles[0]:.3f} - {r.verdict.ratio_quartiles[1]:.3f}; ratio of the medians "
        f"{hook.median_ms / never.median_ms:.3f}.",
        f"- Hook / hatchling alone: {_pair(r, HOOK, ALONE)}; hook / disabled in this interpreter: "
        f"{_pair(r, HOOK, INSTALLED)}.",
        f"- Installed but disabled / never imported: {_pair(r, INSTALLED, NEVER)}. For the wheel, hatchling "
        "finds `wheel` among its own builders and, with no enabled hook to look up, never loads third-party "
        "plugins: an installed hook that is disabled costs no import at all.",
        f"- Never imported / hatchling alone: {_pair(r, NEVER, ALONE)}: the rest of this interpreter's "
        "environment, hatch-harmony imported by neither (see the end of this section).",
        f"- hatch_harmony imported (`-X importtime` of every build): {imported}.",
        f"- Same wheel, byte for byte, from all four: {_yes(r.wheels_identical)}.",
        f"- Requests: the first build registered with {_routes(r.first_build_requests)}; the warm builds "
        f"(timed, `-X importtime` and probe runs) made **{r.warm_requests}**. The warm hook's line: "
        f"`{r.warm_line}`",
        "",
        *_where(r),
        *([] if r.met else _missed(r)),
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/wheel_overhead.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="rounds (default 41; 15 at least for a verdict)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="the RESULTS.md to write the section into"
    )
    parser.add_argument("--note", help="a sentence for the section, e.g. that the machine was shared")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects (path printed)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians of fewer runs mean little)")
    command = shlex.join(
        ["python", "benchmarks/wheel_overhead.py", *(sys.argv[1:] if argv is None else argv)]
    )
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_start = load_average()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="hatch-harmony-wheel-bench-"))
    try:
        with Emulator(test_controls=True) as emulator:
            print(
                f"{args.runs} rounds x 4 variants of hatchling build -t wheel (work in {workdir})", flush=True
            )
            result = measure(workdir, emulator, workdir / "pycache", args.runs)
            secrets = {DEFAULT_PASSWORD}
            secrets.update(v for x in emulator.registrations(DEFAULT_ORG_ID) for v in (x.key, x.secret))
    except BenchmarkError as exc:
        print(f"benchmarks/wheel_overhead.py: {exc}\n(projects kept in {workdir})", file=sys.stderr)
        return 1
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    section = render(
        result,
        command=command,
        date=date,
        seconds=time.perf_counter() - started,
        loads=(load_start, load_average()),
        note=args.note,
    )
    if any(secret and secret in section for secret in secrets):
        print(
            "benchmarks/wheel_overhead.py: refusing to write a section that holds a secret", file=sys.stderr
        )
        return 1
    report.write_section(args.output, section, START, END)
    print(section)
    print(f"Written to {args.output}" + (f"; projects kept in {workdir}" if args.keep else ""))
    return 0 if result.correct else 1


if __name__ == "__main__":
    raise SystemExit(main())
