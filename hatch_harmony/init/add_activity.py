"""`hatch-harmony init --add-activity KEY`: a new activity in adapter.json and its `@Activity` class.

The two must agree (the agent routes an activity by the key, the jar check compares them),
so one command writes both. adapter.json is edited as text, the new entry inserted before
the closing brace of `activities`, so the user's formatting and every other byte stay as
they were; harmony.lock is not touched: the next build gives the new activity the next free
id of the registration's range and keeps every existing one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from hatch_harmony.errors import ConfigError, shown_path
from hatch_harmony.init import java_scaffold as java
from hatch_harmony.project.adapter import find_adapter, load_adapter, parse_adapter
from hatch_harmony.util.files import atomic_write
from hatch_harmony.util.long_integers import LongIntegerError, TOMLDecodeError, load_toml

_CONNECTOR = re.compile(r"^\s*@Connector\s*\(", re.MULTILINE)
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.MULTILINE)


@dataclass(frozen=True)
class AddedActivity:
    root: Path
    key: str
    files: tuple[str, ...]  # relative paths written (adapter.json first)
    written: bool


def _activities_end(text: str) -> int:
    """The offset of the `}` that closes the top-level `activities` object (the text is valid JSON)."""
    depth, i, n = 0, 0, len(text)
    key: str | None = None
    inside_at: int | None = None
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if depth == 1:
                key = json.loads(text[i : j + 1])
            i = j + 1
            continue
        if ch in "{[":
            depth += 1
            if ch == "{" and depth == 2 and key == "activities" and inside_at is None:
                inside_at = depth
        elif ch in "}]":
            if inside_at is not None and depth == inside_at:
                return i
            depth -= 1
        elif ch == "," and depth == 1:
            key = None
        i += 1
    raise ValueError("no activities object")


def _insert(text: str, key: str, display: str) -> str:
    end = _activities_end(text)
    before = text[:end].rstrip()
    empty = before.endswith("{")
    line_start = text.rfind("\n", 0, end) + 1
    closing_indent = text[line_start:end] if text[line_start:end].strip() == "" else ""
    last_line = before[before.rfind("\n") + 1 :]
    if not empty and "\n" in before and last_line.strip() and last_line[0] in " \t":
        indent = last_line[: len(last_line) - len(last_line.lstrip())]  # as the last activity's line
    else:
        indent = closing_indent + ("\t" if "\t" in closing_indent else "  ")
    entry = json.dumps({"displayName": display, "properties": []}, ensure_ascii=False)
    newline = "\r\n" if "\r\n" in text else "\n"  # the file's own line breaks
    addition = f"{'' if empty else ','}{newline}{indent}{json.dumps(key)}: {entry}{newline}{closing_indent}"
    return before + addition + text[end:]


def _java_folder(root: Path) -> tuple[Path, str] | None:
    """(folder, package) of the class marked @Connector under src/main/java, if there is one."""
    for path in sorted((root / "src" / "main" / "java").rglob("*.java")):
        text = path.read_text(encoding="utf-8", errors="replace")
        package = _PACKAGE.search(text)
        if _CONNECTOR.search(text) and package:
            return path.parent, package.group(1)
    return None


def _configured_adapter(root: Path) -> str | None:
    """The hook table's `adapter` option, if pyproject.toml sets one."""
    try:
        data = load_toml((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, TOMLDecodeError, LongIntegerError):
        return None
    value = data.get("tool", {}).get("hatch", {}).get("build", {}).get("hooks", {}).get("harmony", {})
    option = value.get("adapter") if isinstance(value, dict) else None
    return option if isinstance(option, str) else None


def add_activity(root: Path, key: str, *, adapter: str | None = None, dry_run: bool = False) -> AddedActivity:
    """Add activity `key` to adapter.json and write its class; ConfigError (nothing written) if it cannot."""
    path = find_adapter(root, adapter or _configured_adapter(root))
    current = load_adapter(path)
    clash = next((k for k in current.activities if k.lower() == key.lower()), None)
    if clash is not None:
        raise ConfigError(
            f"--add-activity {key}: {shown_path(path, root)} already has the activity {clash!r}"
            + (" (activity keys are compared ignoring case)" if clash != key else "")
        )
    raw = path.read_bytes()  # not read_text: its universal newlines would rewrite every CRLF
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    display = " ".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", key)) or key
    updated = _insert(text, key, display)
    try:
        parse_adapter(updated.encode(), source=path)  # the key's own rules, before anything is written
    except ConfigError as exc:
        raise ConfigError(f"--add-activity {key}: {exc.message}") from None
    files: dict[Path, bytes] = {path: bom + updated.encode()}
    found = _java_folder(root)
    if found is not None:
        folder, package = found
        target = folder / f"{java.activity_class(key)}.java"
        if target.exists():
            raise ConfigError(
                f"--add-activity {key}: {shown_path(target, root)} exists already; rename or remove it"
            )
        files[target] = java.activity_java(package, key).encode()
        base = folder / f"{java.ACTIVITY_BASE}.java"
        if not base.exists():
            files[base] = java.activity_base_java(package).encode()
    if not dry_run:
        for target_path, data in files.items():
            atomic_write(target_path, data)
    shown = tuple(shown_path(p, root) for p in files)
    return AddedActivity(root, key, shown, written=not dry_run)


def added_lines(added: AddedActivity) -> list[str]:
    verb = "added" if added.written else "would add (--dry-run: nothing was written)"
    lines = [f"hatch-harmony init --add-activity: {verb} the activity {added.key!r}:"]
    lines += [f"  {path}" for path in added.files]
    if len(added.files) == 1:
        lines.append(
            "  no class marked @Connector under src/main/java: write the activity's @Activity class yourself"
        )
    lines.append(
        "The next build gives it the next free activity id of the registration (every existing id stays); "
        "compile, then build."
    )
    return lines
