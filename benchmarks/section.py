"""The life of one separately run RESULTS.md section (maven.py's 6, wheel_overhead.py's 7).

Both scripts take the same options, measure inside a temporary folder against a fresh
emulator, refuse to write a section that holds a secret, and write it between their
markers; only the measurement and the rendering differ. One runner, so a fix to the
shared steps (say, the secret check) lands in both.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol, TypeVar

from benchmarks import report
from benchmarks.harness import BenchmarkError
from benchmarks.machine import load_average
from hatch_harmony.emulator import DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


class Result(Protocol):
    @property
    def correct(self) -> bool: ...


R = TypeVar("R", bound=Result)


def parser(script: str, description: str, runs: int, runs_help: str) -> argparse.ArgumentParser:
    """The options every section script takes."""
    found = argparse.ArgumentParser(prog=script, description=description)
    found.add_argument("--runs", type=int, default=runs, help=runs_help)
    found.add_argument(
        "--output", type=Path, default=RESULTS, help="the RESULTS.md to write the section into"
    )
    found.add_argument("--note", help="a sentence for the section, e.g. that the machine was shared")
    found.add_argument("--keep", action="store_true", help="keep the temporary projects (path printed)")
    return found


def run(
    script: str,
    argv: Sequence[str],
    args: argparse.Namespace,
    *,
    banner: str,
    prefix: str,
    measure: Callable[[Path, Emulator, Path, int], R],
    render: Callable[..., str],
    markers: tuple[str, str],
) -> int:
    """Measure in a temporary folder, render, refuse secrets, write; 0 when the result is correct."""
    command = shlex.join(["python", script, *argv])
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_start = load_average()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        with Emulator(test_controls=True) as emulator:
            print(f"{args.runs} {banner} (work in {workdir})", flush=True)
            result = measure(workdir, emulator, workdir / "pycache", args.runs)
            secrets = {DEFAULT_PASSWORD}
            secrets.update(v for r in emulator.registrations(DEFAULT_ORG_ID) for v in (r.key, r.secret))
    except BenchmarkError as exc:
        print(f"{script}: {exc}\n(projects kept in {workdir})", file=sys.stderr)
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
        print(f"{script}: refusing to write a section that holds a secret", file=sys.stderr)
        return 1
    report.write_section(args.output, section, *markers)
    print(section)
    print(f"Written to {args.output}" + (f"; projects kept in {workdir}" if args.keep else ""))
    return 0 if result.correct else 1
