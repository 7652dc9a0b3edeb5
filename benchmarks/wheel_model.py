"""Section 7's names and result types: what wheel_overhead.py measures and wheel_report.py writes."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.baseline_venvs import Venv
from benchmarks.harness import Summary
from benchmarks.overhead import Probe

HOOK = "hook (warm)"
INSTALLED = "hook disabled, hatch-harmony installed"
NEVER = "hook disabled, hatch-harmony never imported"
ALONE = "hook disabled, hatchling alone"
TARGET_RATIO = 1.05
START, END = "<!-- benchmarks/wheel_overhead.py: start -->", "<!-- benchmarks/wheel_overhead.py: end -->"
WARM_LINE = "harmony: nothing it depends on changed since the last build"

#: `import hatch_harmony.hooks` after what a wheel build has imported when hatchling loads its
#: plugins (its CLI, the wheel builder, the hook interface, importlib.metadata): the plugin's
#: own import cost. In the build itself -X importtime cannot show it: pluggy imports the module
#: with importlib.import_module, which -X importtime does not log (only the imports inside it).
IMPORT_HOOKS = (
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
