"""Section 1: what the warm `harmony` hook adds to `python -m hatchling build -t jar`.

Three variants of the same content, interleaved:
* hook: the example connector with its lock and generated manifest present and
  HARMONY_OFFLINE=1 (the build cannot reach the network; the emulator counts 0 requests);
* no hook: the same project with the harmony hook disabled (`enable-by-default = false`)
  and a tiny custom hook that hands the jar target the same manifest bytes from a file:
  the jar target cannot run without a manifest, and this is the cheapest way to give it one;
* jar --create: the JDK's own tool packing the same files with the same manifest.

The two hatchling variants must produce byte-identical jars, and `jar --create` the same
file entries: otherwise they would not be measuring the same build.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import (
    BenchmarkError,
    Measured,
    Summary,
    clean_env,
    interleave,
    paired_difference_ms,
    paired_ratio,
    run_measured,
)
from benchmarks.projects import (
    compile_java,
    copy_example,
    file_entries,
    jar_create_command,
    make_no_hook_copy,
)
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator

HOOK, NO_HOOK, JAR_TOOL = "hook (warm)", "no hook", "jar --create"
#: The warm hook with its stamp (hatch_harmony/engine/warm.py) disabled: the full engine, offline.
HOOK_FULL = "hook (warm, no stamp)"
JAR_NAME = "weather-example-connector-1.0.0.jar"
PROBE = Path(__file__).resolve().parent / "warm_probe.py"


@dataclass(frozen=True)
class Probe:
    """The hook's own time inside real builds (medians of `runs` fresh processes)."""

    runs: int
    first_ms: float  # the hook's initialize, as a build pays it (lazy imports included)
    again_ms: float  # a second call in the same process: the work without the imports
    build_ms: float  # the whole in-process build (hatchling's CLI function, no interpreter start-up)
    new_modules: tuple[str, ...]
    dataclass_ms: float  # creating dataclasses during the first call (module bodies of the engine)
    dataclass_count: int
    regex_ms: float  # re.compile calls during the first call (cache misses compile, hits are cheap)
    regex_calls: int
    httpx_imported: bool
    harmony_modules: tuple[str, ...]
    #: hatchling's load of third-party plugins (importlib.metadata, every distribution's entry
    #: points, importing hatch_harmony.hooks); None when the build never loaded them
    plugin_load_ms: float | None = None
    #: dataclasses created during that load (module bodies run by the imports): module -> median ms
    plugin_load_dataclasses: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class OverheadResult:
    runs: int
    summaries: dict[str, Summary]
    ratio: float  # median(hook) / median(no hook)
    paired_ratio: float  # median of per-round hook / no-hook: the verdict's figure (robust to load drift)
    paired_diff_ms: float
    ratio_vs_jar_tool: float
    jars_identical: bool
    same_files_as_jar_tool: bool
    first_build_requests: dict[str, int]
    warm_requests: int
    warm_action_line: str
    probe: Probe
    commands: dict[str, str] = field(default_factory=dict)  # variant -> Markdown description

    @property
    def overhead_percent(self) -> float:
        """The warm hook's cost in % of the build, from the per-round ratios.

        Each round's two builds run back to back, so a change of load between rounds (the
        machine may be shared) cancels out; the ratio of the two medians is reported too.
        """
        return (self.paired_ratio - 1) * 100

    @property
    def probe_percent(self) -> float:
        """The hook's in-build time (probe) in % of the no-hook build: an estimate free of start-up noise."""
        return self.probe.first_ms / self.summaries[NO_HOOK].median_ms * 100


def hatchling_command(target: str = "jar", python: str = sys.executable) -> list[str]:
    return [python, "-m", "hatchling", "build", "-t", target]


def prepare_warm(workdir: Path, emulator: Emulator, pycache: Path, name: str) -> tuple[Path, dict[str, int]]:
    """Copy, compile, and build once against the emulator (it registers: lock and manifest written)."""
    project = copy_example(workdir / name)
    compile_java(project)
    emulator.reset_counts()
    env = clean_env(
        pycache, HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD
    )
    run_measured(hatchling_command(), project, env)
    counts = {route: n for route, n in emulator.counts().items() if n}
    if not (project / "harmony.lock").is_file() or not (project / "build/harmony/MANIFEST.MF").is_file():
        raise BenchmarkError(f"{project}: the first build wrote no lock or manifest")
    return project, counts


def warm_env(pycache: Path, emulator: Emulator) -> dict[str, str]:
    # HARMONY_URL stays: the lock entry is keyed by host. No credentials, and offline.
    return clean_env(pycache, HARMONY_URL=emulator.url, HARMONY_OFFLINE="1")


def run_probe(project: Path, env: dict[str, str], runs: int, workdir: Path, target: str = "jar") -> Probe:
    reports = []
    result = workdir / "probe.json"
    for _ in range(runs):
        run_measured([sys.executable, str(PROBE), str(result), target], project, env)
        reports.append(json.loads(result.read_text(encoding="utf-8")))
    calls = [r["calls"][0] for r in reports]
    loads = [r["plugin_load_ms"] for r in reports if r.get("plugin_load_ms") is not None]
    made: dict[str, list[float]] = {}
    for r in reports:
        for module, ms in r.get("plugin_load_dataclasses", {}).items():
            made.setdefault(module, []).append(ms)
    return Probe(
        runs=runs,
        first_ms=statistics.median(c["first_ms"] for c in calls),
        again_ms=statistics.median(c["again_ms"] for c in calls),
        build_ms=statistics.median(r["build_ms"] for r in reports),
        new_modules=tuple(calls[-1]["new_modules"]),
        dataclass_ms=statistics.median(c["dataclasses"].get("ms", 0.0) for c in calls),
        dataclass_count=int(calls[-1]["dataclasses"].get("calls", 0)),
        regex_ms=statistics.median(c["regex"].get("ms", 0.0) for c in calls),
        regex_calls=int(calls[-1]["regex"].get("calls", 0)),
        httpx_imported=any(r["httpx_imported"] for r in reports),
        harmony_modules=tuple(reports[-1]["hatch_harmony_modules"]),
        plugin_load_ms=statistics.median(loads) if loads else None,
        plugin_load_dataclasses={
            module: statistics.median(ms + [0.0] * (len(reports) - len(ms))) for module, ms in made.items()
        },
    )


def measure(workdir: Path, emulator: Emulator, pycache: Path, runs: int) -> OverheadResult:
    warm, first_counts = prepare_warm(workdir, emulator, pycache, "example-hook")
    base = make_no_hook_copy(warm, workdir / "example-no-hook")
    env = warm_env(pycache, emulator)
    base_env = clean_env(pycache)
    full_env = {**env, "HARMONY_NO_WARM_STAMP": "1"}
    manifest = warm / "build" / "harmony" / "MANIFEST.MF"
    jar_tool_out = workdir / "jar-tool" / JAR_NAME
    jar_tool_out.parent.mkdir()
    jar_tool = jar_create_command(base, manifest, jar_tool_out, base / "build" / "classes", "assets")

    emulator.reset_counts()
    variants = {
        HOOK: lambda: run_measured(hatchling_command(), warm, env)[1],
        NO_HOOK: lambda: run_measured(hatchling_command(), base, base_env)[1],
        JAR_TOOL: lambda: run_measured(jar_tool, base, base_env)[1],
        HOOK_FULL: lambda: run_measured(hatchling_command(), warm, full_env)[1],
    }
    results: dict[str, list[Measured]] = interleave(variants, runs, warmup=2)
    warm_requests = sum(emulator.counts().values())
    last_hook_line = next(
        (
            line
            for line in (results[HOOK][-1].stderr + results[HOOK][-1].stdout).splitlines()
            if line.startswith("harmony: ")
        ),
        "(no line)",
    )
    hook_jar, base_jar = warm / "dist" / JAR_NAME, base / "dist" / JAR_NAME
    probe = run_probe(warm, env, runs, workdir)
    if sum(emulator.counts().values()):
        raise BenchmarkError("a warm build talked to the emulator")

    summaries = {name: Summary.of(measured) for name, measured in results.items()}
    return OverheadResult(
        runs=runs,
        summaries=summaries,
        ratio=summaries[HOOK].median_ms / summaries[NO_HOOK].median_ms,
        paired_ratio=paired_ratio(results[HOOK], results[NO_HOOK]),
        paired_diff_ms=paired_difference_ms(results[HOOK], results[NO_HOOK]),
        ratio_vs_jar_tool=summaries[HOOK].median_ms / summaries[JAR_TOOL].median_ms,
        jars_identical=hook_jar.read_bytes() == base_jar.read_bytes(),
        same_files_as_jar_tool=file_entries(hook_jar) == file_entries(jar_tool_out),
        first_build_requests=first_counts,
        warm_requests=warm_requests,
        warm_action_line=last_hook_line,
        probe=probe,
        commands={
            HOOK: "`HARMONY_OFFLINE=1 python -m hatchling build -t jar` in the warm copy",
            NO_HOOK: "`python -m hatchling build -t jar` in the copy with the harmony hook disabled and a "
            "custom hook handing over the same manifest (see the last section)",
            HOOK_FULL: "the same as hook (warm), with `HARMONY_NO_WARM_STAMP=1`: no warm-build stamp, "
            "the whole engine runs (offline, 0 requests)",
            JAR_TOOL: "`jar --create --file X.jar --manifest MANIFEST.MF -C build/classes . "
            "-C . adapter.json -C . assets`",
        },
    )
