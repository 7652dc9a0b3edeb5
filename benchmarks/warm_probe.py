"""Run one real `hatchling build -t jar` in this process and report what the harmony hook cost.

    python benchmarks/warm_probe.py RESULT.json        (from the project folder)

Run by `benchmarks/run.py`, in the warm project with HARMONY_OFFLINE=1. It wraps the hook's
`initialize` to time it inside the real build (so the figure holds exactly the hook's
share, free of process start-up noise), calls it a second time to split the first call's
lazy imports from the work itself, and checks at the end that httpx was never imported:
the warm path must not pay for the HTTP client.

During the first call it also times two things module bodies spend import time on,
dataclass creation and regular-expression compilation, by wrapping
`dataclasses._process_class` and `re._compile` (private, hence guarded: missing means not
measured), so that RESULTS.md can say what the import cost is made of.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def timing(module: Any, name: str, totals: dict[str, float]) -> Iterator[None]:
    """Accumulate the time spent in `module.name` (and count the calls) while the block runs."""
    original: Callable[..., Any] | None = getattr(module, name, None)
    if original is None:
        yield
        return
    totals.setdefault("ms", 0.0)
    totals.setdefault("calls", 0)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals["ms"] += (time.perf_counter() - start) * 1000
            totals["calls"] += 1

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def main() -> int:
    result_file = Path(sys.argv[1])
    # hatch imports this module itself when it loads its plugins; importing it first changes nothing
    from hatch_harmony.hooks import HarmonyBuildHook

    original = HarmonyBuildHook.initialize
    report: dict[str, Any] = {"calls": []}

    def timed(self: HarmonyBuildHook, version: str, build_data: dict[str, Any]) -> None:
        before = set(sys.modules)
        made: dict[str, float] = {}
        compiled: dict[str, float] = {}
        with timing(dataclasses, "_process_class", made), timing(re, "_compile", compiled):
            start = time.perf_counter()
            original(self, version, build_data)
            first = time.perf_counter() - start
        start = time.perf_counter()
        original(self, version, {})  # imports are cached now: the work alone
        again = time.perf_counter() - start
        report["calls"].append(
            {
                "first_ms": first * 1000,
                "again_ms": again * 1000,
                "new_modules": sorted(set(sys.modules) - before),
                "dataclasses": made,
                "regex": compiled,
            }
        )

    HarmonyBuildHook.initialize = timed  # type: ignore[method-assign]
    from hatchling.cli import hatchling

    sys.argv = ["hatchling", "build", "-t", "jar"]
    start = time.perf_counter()
    try:
        code = hatchling()
    except SystemExit as exc:  # app.abort() on a build error
        code = exc.code if isinstance(exc.code, int) else 1
    report["build_ms"] = (time.perf_counter() - start) * 1000
    report["exit_code"] = code
    report["httpx_imported"] = "httpx" in sys.modules
    report["hatch_harmony_modules"] = sorted(m for m in sys.modules if m.split(".")[0] == "hatch_harmony")
    result_file.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
