"""Timing machinery shared by every section: clean environments, measured subprocesses, interleaving.

Why these choices:
* every build runs in a fresh process, as a developer's `hatch build` does, and is timed
  from outside (wall clock) with its peak resident memory read from the kernel (`os.wait4`,
  the same counter `/usr/bin/time -v` prints);
* variants are interleaved, one round after another with the order rotated each round, so
  a burst of load from another process on a shared machine hits every variant alike;
  medians (not means) then ignore the rounds that were hit hardest;
* bytecode caches go to a private `PYTHONPYCACHEPREFIX` that warm-up runs fill: an
  installed package has its .pyc files, and a `PYTHONDONTWRITEBYTECODE` inherited from a
  development shell would otherwise make every run recompile whatever changed since.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Variables of ours or of hatch that would change what a build does; the benchmark sets
#: exactly the ones each variant needs.
_DROPPED_PREFIXES = ("HARMONY_", "HATCH_BUILD_", "SOURCE_DATE_EPOCH")
_DROPPED = ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE")


class BenchmarkError(RuntimeError):
    """A benchmark step failed (a build that should pass did not): the figures would be meaningless."""


def clean_env(pycache: Path, **extra: str) -> dict[str, str]:
    """os.environ without our/hatch's switches, with a private bytecode cache, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_DROPPED_PREFIXES) and key not in _DROPPED
    }
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Measured:
    """One run: wall-clock seconds, peak resident set size in KiB (None where unknown), output."""

    seconds: float
    max_rss_kib: int | None
    stdout: str
    stderr: str


def run_measured(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], *, check: bool = True
) -> tuple[int, Measured]:
    """Run `command`, timing it and reading its peak memory; BenchmarkError if it fails and `check`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=out, stderr=err)
        rss: int | None = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            process.returncode = os.waitstatus_to_exitcode(status)
            rss = int(usage.ru_maxrss)  # KiB on Linux
        else:  # pragma: no cover - Windows: no per-child rusage
            process.wait()
            seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        measured = Measured(
            seconds, rss, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        )
    code = process.returncode
    if check and code != 0:
        raise BenchmarkError(
            f"`{' '.join(command)}` in {cwd} exited {code}:\n{measured.stdout}\n{measured.stderr}".rstrip()
        )
    return code, measured


def interleave(
    variants: Mapping[str, Callable[[], Measured]], runs: int, *, warmup: int = 1
) -> dict[str, list[Measured]]:
    """Run every variant `runs` times, round by round, rotating the order each round.

    `warmup` untimed rounds come first (they fill bytecode and page caches).
    """
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    results: dict[str, list[Measured]] = {name: [] for name in names}
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            results[name].append(variants[name]())
    return results


@dataclass(frozen=True)
class Summary:
    """Median and spread of one variant's runs, in milliseconds."""

    runs: int
    median_ms: float
    min_ms: float
    max_ms: float
    q1_ms: float
    q3_ms: float
    median_rss_kib: int | None
    max_rss_kib: int | None

    @classmethod
    def of(cls, measured: Sequence[Measured]) -> Summary:
        ms = sorted(m.seconds * 1000 for m in measured)
        quartiles = statistics.quantiles(ms, n=4) if len(ms) >= 2 else [ms[0], ms[0], ms[0]]
        rss = [m.max_rss_kib for m in measured if m.max_rss_kib is not None]
        return cls(
            runs=len(ms),
            median_ms=statistics.median(ms),
            min_ms=ms[0],
            max_ms=ms[-1],
            q1_ms=quartiles[0],
            q3_ms=quartiles[2],
            median_rss_kib=int(statistics.median(rss)) if rss else None,
            max_rss_kib=max(rss) if rss else None,
        )


def paired_ratio(numerator: Sequence[Measured], denominator: Sequence[Measured]) -> float:
    """Median of per-round ratios: robust when the load changes between rounds."""
    return statistics.median(a.seconds / b.seconds for a, b in zip(numerator, denominator, strict=True))


def paired_difference_ms(minuend: Sequence[Measured], subtrahend: Sequence[Measured]) -> float:
    """Median of per-round differences, in milliseconds."""
    return statistics.median((a.seconds - b.seconds) * 1000 for a, b in zip(minuend, subtrahend, strict=True))
