"""Section 7 of RESULTS.md: the Markdown of a measured WheelResult (numbers in, text out).

Split from wheel_overhead.py, which measures; the names and result types are wheel_model.py's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks import report
from benchmarks.imports import own
from benchmarks.wheel_model import (
    ALONE,
    END,
    HOOK,
    IMPORT_HOOKS,
    INSTALLED,
    NEVER,
    START,
    TARGET_RATIO,
    ImportRoot,
    WheelResult,
)

ROOT = Path(__file__).resolve().parents[1]


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
        "| - the same call again (the work alone: the warm-stamp check and the wheel's packaging check, "
        "which runs on every build) "
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
        f"after hatchling's modules, `python -X importtime -c '{'; '.join(IMPORT_HOOKS.splitlines())}'` "
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
    builder = r.build_own.get("hatch_harmony.jar.builder")
    if builder:
        items.append(
            f"`hatch_harmony.jar.builder` ({builder[1]:.1f} ms with what it imports): `hooks.py` imports "
            "`JarBuilder` and the two build_data keys at module level, so every target imports the jar "
            "builder; importing it inside `hatch_register_builder` (which a wheel build never calls: "
            "hatchling finds `wheel` among its own builders before it loads plugins) and the keys from a "
            "leaf leaves it to the jar target"
        )
    warm = roots.get("hatch_harmony.engine.warm")
    foreign = [m for m, _ in warm.by_module if not own(m)] if warm else []
    if warm and foreign:
        foreign_ms = sum(ms for m, ms in warm.by_module if not own(m))
        dataclass_ms = p.plugin_load_dataclasses.get("hatch_harmony.engine.warm", 0.0)
        items.append(
            f"`hatch_harmony.engine.warm` ({warm.self_ms:.1f} ms with what it pulls in): "
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
