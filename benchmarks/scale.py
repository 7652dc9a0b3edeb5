"""Section 4: a connector at Harmony's limits, 99 activities and 200 bundled dependency jars.

The same three variants as section 1 (warm hook, hook disabled with a fixed manifest, the
JDK's `jar --create` of the same files), interleaved, with each run's peak resident memory.
`jar --create` gets the manifest the jar target shipped (with its 200-entry Class-Path),
so all three produce the same entries.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import BenchmarkError, Summary, clean_env, interleave, run_measured
from benchmarks.overhead import HOOK, JAR_TOOL, NO_HOOK, hatchling_command, warm_env
from benchmarks.projects import (
    compile_java,
    file_entries,
    jar_create_command,
    make_no_hook_copy,
    synthetic_connector,
)
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator

ACTIVITIES, JARS = 99, 200
JAR_NAME = "scale-benchmark-connector-1.0.0.jar"


@dataclass(frozen=True)
class ScaleResult:
    runs: int
    activities: int
    dependency_jars: int
    lib_bytes: int
    jar_bytes: int
    jar_entries: int
    manifest_bytes: int
    summaries: dict[str, Summary]
    ratio_vs_jar_tool: float  # median(hook) / median(jar --create)
    ratio_vs_no_hook: float
    jars_identical: bool
    same_files_as_jar_tool: bool
    first_build_requests: dict[str, int]


def measure(workdir: Path, emulator: Emulator, pycache: Path, runs: int) -> ScaleResult:
    project = synthetic_connector(workdir / "scale-hook", activities=ACTIVITIES, jars=JARS)
    compile_java(project)
    emulator.reset_counts()
    first = clean_env(
        pycache, HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD
    )
    run_measured(hatchling_command(), project, first)
    first_counts = {route: n for route, n in emulator.counts().items() if n}
    base = make_no_hook_copy(project, workdir / "scale-no-hook")

    hook_jar, base_jar = project / "dist" / JAR_NAME, base / "dist" / JAR_NAME
    shipped_manifest = workdir / "scale-MANIFEST.MF"
    with zipfile.ZipFile(hook_jar) as archive:
        shipped_manifest.write_bytes(archive.read("META-INF/MANIFEST.MF"))
    tool_jar = workdir / "scale-jar-tool" / JAR_NAME
    tool_jar.parent.mkdir()
    jar_tool = jar_create_command(base, shipped_manifest, tool_jar, base / "build" / "classes", "lib")

    env, base_env = warm_env(pycache, emulator), clean_env(pycache)
    emulator.reset_counts()
    results = interleave(
        {
            HOOK: lambda: run_measured(hatchling_command(), project, env)[1],
            NO_HOOK: lambda: run_measured(hatchling_command(), base, base_env)[1],
            JAR_TOOL: lambda: run_measured(jar_tool, base, base_env)[1],
        },
        runs,
        warmup=1,
    )
    if sum(emulator.counts().values()):
        raise BenchmarkError("a warm build of the scale connector talked to the emulator")
    summaries = {name: Summary.of(measured) for name, measured in results.items()}
    with zipfile.ZipFile(hook_jar) as archive:
        entries = len(archive.infolist())
        manifest_bytes = len(archive.read("META-INF/MANIFEST.MF"))
    return ScaleResult(
        runs=runs,
        activities=ACTIVITIES,
        dependency_jars=JARS,
        lib_bytes=sum(p.stat().st_size for p in (project / "lib").iterdir()),
        jar_bytes=hook_jar.stat().st_size,
        jar_entries=entries,
        manifest_bytes=manifest_bytes,
        summaries=summaries,
        ratio_vs_jar_tool=summaries[HOOK].median_ms / summaries[JAR_TOOL].median_ms,
        ratio_vs_no_hook=summaries[HOOK].median_ms / summaries[NO_HOOK].median_ms,
        jars_identical=hook_jar.read_bytes() == base_jar.read_bytes(),
        same_files_as_jar_tool=file_entries(hook_jar) == file_entries(tool_jar),
        first_build_requests=first_counts,
    )
