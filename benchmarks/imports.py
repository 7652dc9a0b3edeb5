"""Section 2: import cost, as `python -X importtime` reports it, and no httpx on the warm path.

Two figures, each the median of fresh interpreters with warm bytecode caches:
* the plugin module as hatch loads it for every build of every project (whether or not
  the project uses hatch-harmony): `python -X importtime -c "import hatch_harmony.hooks"`;
* everything a warm `-t jar` build imports on top of hatchling: the warm probe (a real
  in-process build) under `-X importtime`, summing hatch_harmony's modules and, apart,
  the other modules that the hook's first call loaded (difflib, tomli_w, ...).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import clean_env, run_measured
from benchmarks.overhead import PROBE

_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")
PACKAGE = "hatch_harmony"


@dataclass(frozen=True)
class ImportLine:
    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(stderr: str) -> list[ImportLine]:
    lines = []
    for text in stderr.splitlines():
        match = _LINE.match(text)
        if match:
            self_us, cumulative, indent, module = match.groups()
            lines.append(ImportLine(module, int(self_us), int(cumulative), len(indent) // 2))
    return lines


def own(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


@dataclass(frozen=True)
class ImportResult:
    runs: int
    hooks_own_self_ms: float  # sum of self times of hatch_harmony modules for `import hatch_harmony.hooks`
    hooks_cumulative_ms: float  # cumulative of hatch_harmony.hooks (includes hatchling's interfaces)
    hooks_modules: tuple[str, ...]
    hook_self_ms: float  # every module the hook's first call imported (the hook's import cost)
    plugin_self_ms: float  # hatch_harmony modules loaded without the hook too (plugin load, jar target)
    build_modules: dict[str, tuple[float, bool]]  # module -> (median self ms, imported by the hook)
    httpx_imported: bool
    target_ms: float = 20.0


def measure(
    workdir: Path, warm_project: Path, warm_env: dict[str, str], hook_modules: tuple[str, ...], runs: int
) -> ImportResult:
    pycache = Path(warm_env["PYTHONPYCACHEPREFIX"])
    env = clean_env(pycache)
    command = [sys.executable, "-X", "importtime", "-c", "import hatch_harmony.hooks"]
    run_measured(command, workdir, env)  # warm-up
    own_self, cumulative = [], []
    modules: tuple[str, ...] = ()
    for _ in range(runs):
        lines = parse_importtime(run_measured(command, workdir, env)[1].stderr)
        own_self.append(sum(line.self_us for line in lines if own(line.module)) / 1000)
        cumulative.append(
            next(line.cumulative_us for line in lines if line.module == "hatch_harmony.hooks") / 1000
        )
        modules = tuple(line.module for line in lines if own(line.module))

    by_hook = set(hook_modules)
    probe = [sys.executable, "-X", "importtime", str(PROBE), str(workdir / "probe-importtime.json")]
    per_module: dict[str, list[float]] = {}
    hook_ms, plugin_ms = [], []
    for _ in range(runs):
        lines = parse_importtime(run_measured(probe, warm_project, warm_env)[1].stderr)
        wanted = [line for line in lines if own(line.module) or line.module in by_hook]
        for line in wanted:
            per_module.setdefault(line.module, []).append(line.self_us / 1000)
        hook_ms.append(sum(line.self_us for line in wanted if line.module in by_hook) / 1000)
        plugin_ms.append(sum(line.self_us for line in wanted if line.module not in by_hook) / 1000)
    report = json.loads((workdir / "probe-importtime.json").read_text(encoding="utf-8"))
    return ImportResult(
        runs=runs,
        hooks_own_self_ms=statistics.median(own_self),
        hooks_cumulative_ms=statistics.median(cumulative),
        hooks_modules=modules,
        hook_self_ms=statistics.median(hook_ms),
        plugin_self_ms=statistics.median(plugin_ms),
        build_modules={
            m: (statistics.median(v), m in by_hook)
            for m, v in sorted(per_module.items(), key=lambda kv: -statistics.median(kv[1]))
        },
        httpx_imported=bool(report["httpx_imported"]),
    )
