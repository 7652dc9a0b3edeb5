"""hatch.toml, read the way hatchling reads it: its `[build]` replaces pyproject's `[tool.hatch.build]`.

hatchling merges a `hatch.toml` beside pyproject.toml over `[tool.hatch]` key by key, at the
top level only: a hatch.toml holding any `[build...]` table (even only `[build.targets.wheel]
bypass-selection = true`) replaces pyproject's whole `[tool.hatch.build]`, hooks included.
The harmony hook written in pyproject.toml is then never run: no manifest, no packaging
check, and `-t jar` finds no hook. hatch-harmony's own readers (the CLI, `doctor`) and the
jar target's message follow the same rule, so they say so instead of reporting all well:
they name hatch.toml as what hides the hook and what to write there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hatch_harmony.errors import ConfigError
from hatch_harmony.util.long_integers import LongIntegerError, TOMLDecodeError, load_toml

HATCH_TOML = "hatch.toml"
#: The hook table's TOML path inside hatch.toml.
HATCH_TOML_TABLE = "build.hooks.harmony"
#: What to write in hatch.toml, shown in messages.
HOOK_LINES = '[build.hooks.harmony]\nadapter = "adapter.json"'


def read_build(root: Path) -> Mapping[str, Any] | None:
    """hatch.toml's `[build]` table when the file has one (hatchling then ignores pyproject's), else None."""
    path = root / HATCH_TOML
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read as UTF-8 text ({exc}); hatchling reads it too") from None
    build = parse(path, text).get("build")
    if build is None:
        return None
    return build if isinstance(build, Mapping) else {}


def parse(path: Path, text: str) -> dict[str, Any]:
    """The text of `path` (pyproject.toml or hatch.toml) as TOML, or one ConfigError naming the line
    or the key: the one wording for both files hatchling reads."""
    try:
        return load_toml(text)
    except LongIntegerError as exc:
        raise ConfigError(f"{path}: {exc.describe()}; fix that value") from None
    except TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}; fix that line") from None


def has_harmony_hook(build: Mapping[str, Any]) -> bool:
    """Whether a `[tool.hatch.build]`-shaped table declares the harmony hook, globally or per target."""
    hooks = build.get("hooks")
    if isinstance(hooks, Mapping) and "harmony" in hooks:
        return True
    targets = build.get("targets")
    return isinstance(targets, Mapping) and any(
        isinstance(t, Mapping) and isinstance(t.get("hooks"), Mapping) and "harmony" in t["hooks"]
        for t in targets.values()
    )


def pyproject_has_hook(pyproject: Mapping[str, Any]) -> bool:
    """Whether pyproject.toml's own `[tool.hatch.build]` declares the harmony hook."""
    build: Any = pyproject
    for key in ("tool", "hatch", "build"):
        build = build.get(key) if isinstance(build, Mapping) else None
    return isinstance(build, Mapping) and has_harmony_hook(build)


def hidden_message(in_pyproject: bool) -> str:
    """What hides the hook and what to write, for the jar target and the CLI alike."""
    if in_pyproject:
        return (
            f"{HATCH_TOML} has a [build] table, and hatchling then ignores pyproject.toml's whole "
            "[tool.hatch.build], so [tool.hatch.build.hooks.harmony] there never runs (no manifest, no "
            f"check that the secret stays out of the sdist and wheel). Move the hook table into {HATCH_TOML} "
            f"as [{HATCH_TOML_TABLE}] (and any other [tool.hatch.build...] settings as [build...]), or move "
            f"{HATCH_TOML}'s [build...] settings into pyproject.toml."
        )
    return (
        f"{HATCH_TOML} has a [build] table, which replaces pyproject.toml's [tool.hatch.build]: add the hook "
        f"to {HATCH_TOML}:\n\n    " + HOOK_LINES.replace("\n", "\n    ") + "\n"
    )


def apply(root: Path, pyproject: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """pyproject's data with `[tool.hatch.build]` as hatchling sees it, and whether hatch.toml supplied it.

    Raises ConfigError when hatch.toml's `[build]` hides a harmony hook declared in pyproject.toml.
    """
    build = read_build(root)
    if build is None:
        return dict(pyproject), False
    tool = pyproject.get("tool")
    tool = dict(tool) if isinstance(tool, Mapping) else {}
    hatch = tool.get("hatch")
    hatch = dict(hatch) if isinstance(hatch, Mapping) else {}
    if pyproject_has_hook(pyproject) and not has_harmony_hook(build):
        raise ConfigError(hidden_message(in_pyproject=True))
    hatch["build"] = build
    tool["hatch"] = hatch
    return {**pyproject, "tool": tool}, True
