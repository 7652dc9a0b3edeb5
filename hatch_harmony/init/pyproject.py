"""The pyproject.toml tables init adds, and the promise that an existing file never loses a byte.

A connector project may already have a pyproject.toml (a Python helper, a formatter's
settings). init only appends whole tables at its end, each one it adds rendered on its own,
and keeps the file's own line breaks. A table that already exists is compared, never
rewritten: keys init would write must hold the same values (keys of the user's own are fine);
any difference is reported and nothing at all is changed, so a second run of init on its own
output finds every table present and equal, and changes nothing.

Appending is checked, not assumed: the new text must parse, keep every value the old text
had and add exactly the new tables (a table defined by dotted keys or an inline table
elsewhere in the file would make an appended header invalid TOML).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from packaging.utils import canonicalize_name

from hatch_harmony.config import HOOK_TABLE, find_harmony_table
from hatch_harmony.errors import ConfigError
from hatch_harmony.jar.config import JAR_TABLE
from hatch_harmony.util.long_integers import LongIntegerError, TOMLDecodeError, load_toml

BUILD_SYSTEM = "build-system"
PROJECT = "project"
WHEEL_TABLE = "tool.hatch.build.targets.wheel"
HEADER = "# Added by `hatch-harmony init`: hatch builds the connector jar (`hatch build -t jar`)."
_WHEEL_SELECTION = ("bypass-selection", "packages", "only-include", "include", "force-include")
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

Tables = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class PyprojectPlan:
    """`after` is None when nothing changes; `added` and `present` name tables by their TOML path."""

    path: Path
    before: bytes | None
    after: bytes | None
    added: tuple[str, ...]
    present: tuple[str, ...]


def get_table(data: Mapping[str, Any], dotted: str) -> Any:
    current: Any = data
    for key in dotted.split("."):
        if not isinstance(current, Mapping) or key not in current:
            return None
        current = current[key]
    return current


def _value(value: Any) -> str:
    """One TOML value, arrays of strings on one line (stable across tomli-w versions)."""
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = ") :].rstrip("\n")


def render(tables: Tables) -> str:
    """The tables as TOML text, in the given order, under one header comment."""
    parts = [HEADER]
    for path, table in tables.items():
        parts.append(f"\n[{path}]")
        parts += [f"{tomli_w.dumps({key: 0}).partition(' = ')[0]} = {_value(v)}" for key, v in table.items()]
    return "\n".join(parts) + "\n"


def _requirement_names(requires: Any) -> set[str]:
    names: set[str] = set()
    for item in requires if isinstance(requires, list) else []:
        match = _REQUIREMENT_NAME.match(item) if isinstance(item, str) else None
        if match:
            names.add(canonicalize_name(match.group(1)))
    return names


def _difference(path: str, wanted: Mapping[str, Any], existing: Any) -> list[str]:
    """What keeps an existing table from doing what init's would; [] when it is compatible."""
    if not isinstance(existing, Mapping):
        return [f"[{path}] is not a table"]
    if path == BUILD_SYSTEM:
        problems = []
        if existing.get("build-backend") != "hatchling.build":
            problems.append(
                f'[{path}] build-backend is {existing.get("build-backend")!r} (init: "hatchling.build")'
            )
        missing = {"hatchling", "hatch-harmony"} - _requirement_names(existing.get("requires"))
        if missing:
            problems.append(f"[{path}] requires lacks {', '.join(sorted(missing))}")
        return problems
    if path == PROJECT:
        has_version = "version" in existing or "version" in (existing.get("dynamic") or [])
        return [] if "name" in existing and has_version else [f"[{path}] lacks name or version"]
    if path == WHEEL_TABLE:
        selects = any(key in existing for key in _WHEEL_SELECTION)
        return [] if selects else [f"[{path}] selects no files (init: bypass-selection = true)"]
    return [
        f"[{path}] {key} = {_value(existing[key]) if key in existing else '(absent)'} (init: {_value(value)})"
        for key, value in wanted.items()
        if existing.get(key) != value
    ]


def _merged(old: Mapping[str, Any], tables: Tables) -> dict[str, Any]:
    result: dict[str, Any] = _copy(old)
    for path, table in tables.items():
        current = result
        for key in path.split("."):
            current = current.setdefault(key, {})
        current.update(table)
    return result


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, Mapping) else v for k, v in data.items()}


def decode(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        return load_toml(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name} is not UTF-8 text; save it as UTF-8 and run init again") from None
    except LongIntegerError as exc:
        raise ConfigError(f"{path.name}: {exc.describe()}; fix it and run init again") from None
    except TOMLDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not valid TOML ({exc}); fix that line and run init again"
        ) from None


def read_pyproject(root: Path) -> dict[str, Any]:
    """root/pyproject.toml parsed ({} when there is none); one ConfigError naming it when it is broken."""
    path = root / "pyproject.toml"
    return decode(path, path.read_bytes()) if path.is_file() else {}


def plan_pyproject(root: Path, tables: Tables) -> PyprojectPlan:
    """What to append to root/pyproject.toml; ConfigError (nothing changed) on any difference."""
    path = root / "pyproject.toml"
    before = path.read_bytes() if path.is_file() else None
    old = decode(path, before) if before is not None else {}
    other = find_harmony_table(old)
    if other is not None and other[1] != HOOK_TABLE:
        raise ConfigError(
            f"pyproject.toml: [{other[1]}] already configures hatch-harmony; init writes [{HOOK_TABLE}] for "
            "hatch builds. Remove that table (or keep your setup without init); no file was changed."
        )
    present = [p for p in tables if get_table(old, p) is not None]
    differences = [line for p in present for line in _difference(p, tables[p], get_table(old, p))]
    if differences:
        listed = "\n".join(f"  - {line}" for line in differences)
        raise ConfigError(
            "pyproject.toml already has tables that differ from what init would write; init never rewrites "
            f"them and changed no file:\n{listed}\nEdit (or remove) those tables and run init again."
        )
    added = {p: t for p, t in tables.items() if p not in present}
    if not added:
        return PyprojectPlan(path, before, None, (), tuple(present))
    text = before.decode("utf-8") if before is not None else ""
    after = _appended(path, text, old, added)
    if after is None:
        clashing = {p: t for p, t in added.items() if _appended(path, text, old, {p: t}) is None} or added
        raise ConfigError(
            f"pyproject.toml defines part of {', '.join(f'[{p}]' for p in clashing)} another way (dotted "
            "keys or an inline table), so init cannot append it and changed no file; add this there by "
            "hand and run init again:\n" + render(clashing).split("\n", 1)[1]
        )
    return PyprojectPlan(path, before, after, tuple(added), tuple(present))


def _appended(path: Path, text: str, old: Mapping[str, Any], added: Tables) -> bytes | None:
    """`text` with `added` appended in its own line breaks, or None when TOML would not read it so."""
    newline = "\r\n" if "\r\n" in text else "\n"
    body = render(added)
    if text:
        body = ("" if text.endswith(("\n", "\r")) else "\n") + "\n" + body
    after = (text + body.replace("\n", newline)).encode("utf-8")
    try:
        return after if decode(path, after) == _merged(old, added) else None
    except ConfigError:  # e.g. "cannot declare [x] twice": it exists as an inline table
        return None


def wanted_tables(
    *, name: str, version: str | None, hook: Mapping[str, Any], jar: Mapping[str, Any]
) -> Tables:
    """The five tables of a connector project that builds under every frontend (README's sample)."""
    tables: Tables = {
        BUILD_SYSTEM: {"requires": ["hatchling", "hatch-harmony"], "build-backend": "hatchling.build"},
        PROJECT: {"name": name, "version": version or ""},
        HOOK_TABLE: dict(hook),
        JAR_TABLE: dict(jar),
        # No Python package here: without this, hatchling stops every wheel build (README).
        WHEEL_TABLE: {"bypass-selection": True},
    }
    return tables
