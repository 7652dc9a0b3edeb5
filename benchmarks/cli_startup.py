"""Section 2, last row: what `hatch-harmony status` costs to start, against Python and hatchling alone.

`status` is what a release pipeline runs before every build, and it sends no request: its time
is start-up and imports. Three fresh processes, interleaved round by round (order rotated):
`python -c pass` (the interpreter alone), `python -c "import hatchling"` (the build backend every
connector project has anyway) and the console script's `status` on the warm example project,
offline. The verdicts use the median of per-round ratios. Checked (exit 1 otherwise): `status`
exits 0 and imports neither the emulator, nor `http.server`, nor httpx (one run under
`-X importtime`, which also gives hatch_harmony's own share).
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import Summary, interleave, paired_ratio, run_measured
from benchmarks.imports import own, parse_importtime

PYTHON, HATCHLING, STATUS = "python -c pass", 'python -c "import hatchling"', "hatch-harmony status"
#: What `status` must never load: the emulator's package, its HTTP server, the HTTP client.
NOT_RUN = ("hatch_harmony.emulator", "http.server", "httpx")


@dataclass(frozen=True)
class CliStartupResult:
    runs: int
    status_shown: str  # as run, the project shown as P
    summaries: dict[str, Summary]
    ratio_vs_python: float  # median of per-round ratios status / `python -c pass`
    ratio_vs_hatchling: float  # median of per-round ratios status / `python -c "import hatchling"`
    own_self_ms: float  # hatch_harmony's modules' self time under -X importtime (median)
    own_modules: int
    not_run_imported: tuple[str, ...]

    @property
    def correct(self) -> bool:
        return not self.not_run_imported


def status_command(project: Path) -> list[str]:
    """The console script next to this interpreter (what a pipeline runs), else `-m hatch_harmony`."""
    script = Path(sys.executable).with_name("hatch-harmony")
    start = [str(script)] if script.is_file() else [sys.executable, "-m", "hatch_harmony"]
    return [*start, "status", "--project", str(project)]


def measure(project: Path, env: dict[str, str], runs: int) -> CliStartupResult:
    """`project`: registered (lock and manifest written); `env`: offline, no credentials."""
    status = status_command(project)
    commands = {
        PYTHON: [sys.executable, "-c", "pass"],
        HATCHLING: [sys.executable, "-c", "import hatchling"],
        STATUS: status,
    }
    results = interleave(
        {name: (lambda c=command: run_measured(c, project, env)[1]) for name, command in commands.items()},
        runs,
        warmup=2,
    )
    # PYTHONPROFILEIMPORTTIME is -X importtime for the console script's own interpreter too
    traced = {**env, "PYTHONPROFILEIMPORTTIME": "1"}
    own_ms, count, loaded = [], 0, set()
    for _ in range(max(3, runs // 4)):
        lines = parse_importtime(run_measured(status, project, traced)[1].stderr)
        own_ms.append(sum(line.self_us for line in lines if own(line.module)) / 1000)
        count = sum(1 for line in lines if own(line.module))
        loaded |= {line.module for line in lines}
    return CliStartupResult(
        runs=runs,
        status_shown=" ".join([Path(status[0]).name, *status[1:-1], "P"]),
        summaries={name: Summary.of(measured) for name, measured in results.items()},
        ratio_vs_python=paired_ratio(results[STATUS], results[PYTHON]),
        ratio_vs_hatchling=paired_ratio(results[STATUS], results[HATCHLING]),
        own_self_ms=statistics.median(own_ms),
        own_modules=count,
        not_run_imported=tuple(
            sorted(m for m in loaded if m in NOT_RUN or m.startswith(tuple(f"{n}." for n in NOT_RUN)))
        ),
    )
