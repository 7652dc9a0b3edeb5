"""adapter.json's shape: the JSON Schema that ships with the package, and the checks drawn from it.

Harmony reads adapter.json when a user opens the connector in Studio, long after the build:
a misspelt key (`"endpont"`, `"displayNmae"`) is silently ignored there, and the screen it
should have described is just missing. So the build reads it the way a linter would: every
key the schema does not know gets one warning with the closest known key, a key defined
twice names its lines, and the icon paths are collected for the jar target, which checks
that the jar holds them.

The schema (adapter.schema.json, printed by `hatch-harmony schema adapter` for editors) is
strict where Jitterbit's documentation fixes the keys (the top level, the endpoint, each
activity) and open for UI components, whose vocabulary is larger than any list here: there
a key warns only when it is a near miss of a listed one. `validate` implements the small
part of JSON Schema the file uses, so the checks need no dependency.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "adapter.schema.json"

#: How alike a key must be to a known one to be called a misspelling of it (difflib's ratio).
_CUTOFF = 0.8


@cache
def schema_text() -> str:
    """The schema as shipped (what `hatch-harmony schema adapter` prints)."""
    return resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: Mapping[str, Any] = schema()["$defs"][ref.removeprefix("#/$defs/")]
        return resolved
    return node


def _type_ok(value: Any, wanted: str) -> bool:
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    }
    return checks[wanted](value)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def validate(value: Any, node: Mapping[str, Any] | None = None, where: str = "") -> list[str]:
    """Every way `value` breaks the schema (the subset it uses), as `path: problem` lines.

    Supported: type, required, properties, additionalProperties (false or a schema),
    propertyNames, min/maxProperties, items, pattern, maxLength and local `$ref`s.
    """
    node = _resolve(schema() if node is None else node)
    shown = where or "(top level)"
    wanted = node.get("type")
    if isinstance(wanted, str) and not _type_ok(value, wanted):
        return [f"{shown}: is not a {wanted}"]
    problems: list[str] = []
    if isinstance(value, str):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and not re.search(pattern, value):
            problems.append(f"{shown}: {value!r} does not match {pattern}")
        if len(value) > node.get("maxLength", len(value)):
            problems.append(f"{shown}: is longer than {node['maxLength']} characters")
    if isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            problems += validate(item, node["items"], f"{where}[{index}]")
    if isinstance(value, dict):
        problems += _validate_object(value, node, where, shown)
    return problems


def _validate_object(value: dict[str, Any], node: Mapping[str, Any], where: str, shown: str) -> list[str]:
    problems = [f"{shown}: `{key}` is required" for key in node.get("required", ()) if key not in value]
    if len(value) < node.get("minProperties", 0):
        problems.append(f"{shown}: needs at least {node['minProperties']} entries")
    if len(value) > node.get("maxProperties", len(value)):
        problems.append(f"{shown}: has more than {node['maxProperties']} entries")
    known: Mapping[str, Any] = node.get("properties", {})
    extra = node.get("additionalProperties", True)
    names = node.get("propertyNames")
    for key, item in value.items():
        if isinstance(names, Mapping):
            problems += [p.replace(": ", f": the key {key!r}: ", 1) for p in validate(key, names, where)]
        if key in known:
            problems += validate(item, known[key], _join(where, key))
        elif extra is False:
            problems.append(f"{shown}: `{key}` is not allowed")
        elif isinstance(extra, Mapping):
            problems += validate(item, extra, _join(where, key))
    return problems


def close_match(key: str, known: Iterator[str] | list[str]) -> str | None:
    """The known key `key` is most likely a misspelling of (case ignored), or None."""
    candidates = {k.lower(): k for k in known}
    found = difflib.get_close_matches(key.lower(), list(candidates), n=1, cutoff=_CUTOFF)
    return candidates[found[0]] if found else None


def unknown_keys(value: Any, node: Mapping[str, Any] | None = None, where: str = "") -> list[str]:
    """One warning per key the schema does not know (strict objects) or nearly knows (open ones)."""
    node = _resolve(schema() if node is None else node)
    warnings: list[str] = []
    if isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            warnings += unknown_keys(item, node["items"], f"{where}[{index}]")
    if not isinstance(value, dict):
        return warnings
    known: Mapping[str, Any] = node.get("properties", {})
    extra = node.get("additionalProperties", True)
    for key, item in value.items():
        if key in known:
            warnings += unknown_keys(item, known[key], _join(where, key))
            continue
        if isinstance(extra, Mapping):
            warnings += unknown_keys(item, extra, _join(where, key))
            continue
        guess = close_match(key, list(known))
        if extra is False or guess is not None:
            warnings.append(_unknown_message(key, where, guess, list(known)))
    return warnings


def _unknown_message(key: str, where: str, guess: str | None, known: list[str]) -> str:
    place = f"in `{where}`" if where else "at the top level"
    hint = f'did you mean "{guess}"?' if guess else f"known keys there: {', '.join(known)}"
    return f'unknown key "{key}" {place}: {hint} Harmony ignores keys it does not know'


@dataclass
class _Level:
    """One open object (`seen`: its keys and their lines) or array (`seen` None, `index` counted)."""

    seen: dict[str, int] | None
    path: str
    key: str = ""
    index: int = 0


def duplicate_keys(text: str) -> list[tuple[str, str, int, int]]:
    """(object path, key, line, line of the first definition) for each key defined twice in one object.

    Python's json keeps the last value silently and reports no positions, so this walks the
    (already valid) text once more, tracking only strings, nesting and commas.
    """
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    found: list[tuple[str, str, int, int]] = []
    stack: list[_Level] = []
    expect_key = False

    def child_path() -> str:
        if not stack:
            return ""
        top = stack[-1]
        return _join(top.path, top.key) if top.seen is not None else f"{top.path}[{top.index}]"

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            top = stack[-1] if stack else None
            if expect_key and top is not None and top.seen is not None:
                key = json.loads(text[i : j + 1])
                line = bisect.bisect_left(newlines, i) + 1
                if key in top.seen:
                    found.append((top.path, key, line, top.seen[key]))
                else:
                    top.seen[key] = line
                top.key = key
                expect_key = False
            i = j + 1
            continue
        if ch in "{[":
            stack.append(_Level({} if ch == "{" else None, child_path()))
            expect_key = ch == "{"
        elif ch in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif ch == "," and stack:
            top = stack[-1]
            if top.seen is None:
                top.index += 1
            else:
                expect_key = True
        i += 1
    return found


def icon_paths(value: Any) -> list[tuple[str, str]]:
    """(key, path) of each icon adapter.json names: default activity icon, endpoint icon, activity icons."""
    if not isinstance(value, dict):
        return []
    found: list[tuple[str, str]] = []
    if isinstance(value.get("defaultActivityIcon"), str):
        found.append(("defaultActivityIcon", value["defaultActivityIcon"]))
    endpoint = value.get("endpoint")
    if isinstance(endpoint, dict) and isinstance(endpoint.get("icon"), str):
        found.append(("endpoint.icon", endpoint["icon"]))
    activities = value.get("activities")
    if isinstance(activities, dict):
        for key, activity in activities.items():
            if isinstance(activity, dict) and isinstance(activity.get("icon"), str):
                found.append((f"activities.{key}.icon", activity["icon"]))
    return found
