"""Run one real `hatchling build -t TARGET` in this process and report what the harmony hook cost.

    python benchmarks/warm_probe.py RESULT.json [TARGET]     (from the project folder; TARGET: jar)

Run by `benchmarks/run.py` and `benchmarks/wheel_overhead.py`, in the warm project with
HARMONY_OFFLINE=1. It wraps the hook's `initialize` to time it inside the real build (so
the figure holds exactly the hook's share, free of process start-up noise), calls it a
second time to split the first call's lazy imports from the work itself, and checks at the
end that httpx was never imported: the warm path must not pay for the HTTP client.

It also times hatchling's load of third-party plugins (`ThirdPartyPlugins.load`: pluggy
imports importlib.metadata, reads the entry points of every installed distribution and
imports each `hatch` plugin, here `hatch_harmony.hooks`), which a build pays only when it
asks for a hook or target that hatchling does not ship. The hook is patched right after that
load, so that this module imports nothing of hatch_harmony before hatchling does.

During the first call it also times two things module bodies spend import time on,
dataclass creation and regular-expression compilation, by wrapping
`dataclasses._process_class` and `re._compile` (private, hence guarded: missing means not
measured), so that RESULTS.md can say what the import cost is made of.
"""

from __future__ import annotations

import copy
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
def timing(
    module: Any, name: str, totals: dict[str, float], per_module: dict[str, float] | None = None
) -> Iterator[None]:
    """Accumulate the time spent in `module.name` (and count the calls) while the block runs.

    With `per_module`, also the time by the `__module__` of the first argument (the class that
    `dataclasses._process_class` turns into a dataclass).
    """
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
            ms = (time.perf_counter() - start) * 1000
            totals["ms"] += ms
            totals["calls"] += 1
            if per_module is not None and args:
                owner = str(getattr(args[0], "__module__", "?"))
                per_module[owner] = per_module.get(owner, 0.0) + ms

    setattr(module, name, wrapper)
    try:
        yield
    finally:
        setattr(module, name, original)


def main() -> int:
    result_file = Path(sys.argv[1])
    target = sys.argv[2] if len(sys.argv) > 2 else "jar"
    from hatchling.plugin.manager import ThirdPartyPlugins

    report: dict[str, Any] = {"calls": [], "target": target, "plugin_load_ms": None}
    original_load = ThirdPartyPlugins.load

    def timed_load(self: ThirdPartyPlugins) -> None:
        made: dict[str, float] = {}
        by_module: dict[str, float] = {}
        with timing(dataclasses, "_process_class", made, by_module):
            start = time.perf_counter()
            original_load(self)
            report["plugin_load_ms"] = (time.perf_counter() - start) * 1000
        report["plugin_load_dataclasses"] = by_module  # module -> ms of its dataclasses created by the load
        if "hatch_harmony.hooks" in sys.modules:  # hatchling imported it: patch before the hook runs
            patch_hook(report)

    ThirdPartyPlugins.load = timed_load  # type: ignore[method-assign]
    from hatchling.cli import hatchling

    sys.argv = ["hatchling", "build", "-t", target]
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


def patch_hook(report: dict[str, Any]) -> None:
    """Wrap HarmonyBuildHook.initialize: time its first call and, as the work alone, a second one."""
    from hatch_harmony.hooks import HarmonyBuildHook

    original = HarmonyBuildHook.initialize

    def timed(self: HarmonyBuildHook, version: str, build_data: dict[str, Any]) -> None:
        initial = copy.deepcopy(build_data)  # the second call gets what the first got
        before = set(sys.modules)
        made: dict[str, float] = {}
        compiled: dict[str, float] = {}
        with timing(dataclasses, "_process_class", made), timing(re, "_compile", compiled):
            start = time.perf_counter()
            original(self, version, build_data)
            first = time.perf_counter() - start
        start = time.perf_counter()
        original(self, version, initial)  # imports are cached now: the work alone
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


if __name__ == "__main__":
    raise SystemExit(main())
