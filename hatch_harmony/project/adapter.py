"""adapter.json: the connector's name, version and activity keys, checked before anything else happens.

Why this is strict: the name and version are what gets registered in Harmony (a
registration cannot be renamed), and each activity key becomes part of a manifest
attribute name (`Jitterbit-Activity-EntityTypeId-<key>`). A bad value found here costs
the developer one edit; found after registering, it costs a registration. Only the
fields hatch-harmony needs are checked: the rest of the file is Harmony's UI schema.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_harmony.errors import ConfigError
from hatch_harmony.project.adapter_schema import close_match, duplicate_keys, icon_paths, unknown_keys
from hatch_harmony.util.long_integers import LongIntegerError, load_json
from hatch_harmony.vocabulary import ACTIVITY_PREFIX, activity_key_problem, case_clash

#: Harmony accepts at most 99 activities per connector [DOC].
MAX_ACTIVITIES = 99

#: Files looked for, in this order, when no adapter path is configured.
DEFAULT_LOCATIONS: tuple[str, ...] = ("adapter.json", "ui/adapter.json")

#: Connector names: Jitterbit's documentation says only "no special characters or `/`" [DOC]. Decision [INF]:
#: ASCII letters and digits, plus space, `_`, `-` and `.` inside; starting with a letter or
#: digit and not ending with a space. Conservative on purpose: a name we accept but
#: Harmony rejects fails only after login, one we reject fails here with a fix.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-")

#: Versions: Harmony documents no rule [DOC]. Decision [INF], conservative like the name's:
#: what semver, Maven and PEP 440 versions use (letters, digits, `.`, `-`, `_`, `+`), starting
#: with a letter or digit, at most 64 characters. The version is registered, so a value no
#: real version takes ("1." + 5000 zeros once registered, then broke the lock) must stop
#: here, before the first request.
MAX_VERSION_LENGTH = 64
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


@dataclass(frozen=True)
class Adapter:
    """What hatch-harmony uses of adapter.json; `digest` (sha256 of the bytes) detects UI changes."""

    path: Path
    name: str
    version: str | None
    activities: tuple[str, ...]
    digest: str
    #: Near misses and unknown keys, keys defined twice outside the registered ones: one line each.
    warnings: tuple[str, ...] = ()
    #: (key, path) of every icon it names; the jar target checks the jar holds each one.
    icons: tuple[tuple[str, str], ...] = ()


class _Object(dict[str, Any]):
    """A JSON object that remembers keys it saw more than once (JSON allows it, we do not)."""

    duplicates: tuple[str, ...] = ()


def _object_hook(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    duplicates: list[str] = []
    for key, value in pairs:
        if key in obj and key not in duplicates:
            duplicates.append(key)
        obj[key] = value
    obj.duplicates = tuple(duplicates)
    return obj


def find_adapter(root: Path, configured: str | Path | None) -> Path:
    """The adapter.json to use: the configured path (relative to `root`), else the first default found."""
    if configured is not None and str(configured).strip():
        path = root / configured
        if path.is_file():
            return path
        problem = "is a directory" if path.is_dir() else "does not exist"
        raise ConfigError(
            f"adapter: the configured file {configured} ({path}) {problem}. Fix the `adapter` option "
            "to point at your connector's adapter.json, or remove it to use adapter.json or "
            "ui/adapter.json."
        )
    for candidate in DEFAULT_LOCATIONS:
        path = root / candidate
        if path.is_file():
            return path
    tried = " and ".join(DEFAULT_LOCATIONS)
    raise ConfigError(
        f"adapter.json not found: tried {tried} in {root}. Create it (it defines the connector's `name`, "
        "`version` and `activities`), or set the `adapter` option to its path."
    )


def _fail(source: Path, key: str | None, problem: str, fix: str) -> ConfigError:
    where = f"{source}: `{key}`" if key else f"{source}:"
    return ConfigError(f"{where} {problem}. {fix}")


def _decode(data: bytes, source: Path) -> tuple[str, Any]:
    try:
        # utf-8-sig: tolerate the byte-order mark some Windows editors add.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            source, None, f"is not valid UTF-8 (bad byte at offset {exc.start})", "Save the file as UTF-8."
        ) from None
    try:
        return text, load_json(text, object_pairs_hook=_object_hook)
    except LongIntegerError as exc:
        raise ConfigError(
            f"{source}: {exc.describe()}. Shorten it (or quote it, if the UI really needs the digits)."
        ) from None
    except json.JSONDecodeError as exc:
        raise _fail(
            source,
            None,
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            "Fix the syntax there; a trailing comma or a missing quote is the usual cause.",
        ) from None
    except RecursionError:
        raise _fail(source, None, "is nested too deeply to read", "Simplify its structure.") from None


def _missing(obj: _Object, key: str) -> str:
    """`is missing`, and the key that looks like a misspelling of it, if one does."""
    typo = next((k for k in obj if close_match(k, [key]) is not None), None)
    return f'is missing (is "{typo}" a misspelling of it?)' if typo else "is missing"


def _name(obj: _Object, source: Path) -> str:
    if "name" not in obj:
        raise _fail(
            source,
            "name",
            _missing(obj, "name"),
            'Add the connector name, e.g. "name": "Acme" (it is what Harmony registers).',
        )
    name = obj["name"]
    if not isinstance(name, str) or not name.strip():
        shown = "empty" if isinstance(name, str) else f"a {_json_type(name)}, not a string"
        raise _fail(source, "name", f"is {shown}", 'Set it to the connector name, e.g. "name": "Acme".')
    if not _NAME.fullmatch(name):
        bad = sorted({ch for ch in name if ch not in _NAME_CHARS})
        problem = (
            f"{name!r} contains {', '.join(repr(ch) for ch in bad)}, which Harmony does not allow in "
            "connector names"
            if bad
            else f"{name!r} starts with a non-alphanumeric character or ends with a space"
        )
        raise _fail(
            source,
            "name",
            problem,
            "Use letters, digits, spaces, '_', '-' or '.', starting with a letter or digit.",
        )
    return name


def _version(obj: _Object, source: Path) -> str | None:
    if "version" not in obj:
        return None
    version = obj["version"]
    if not isinstance(version, str):
        raise _fail(
            source,
            "version",
            f"is a {_json_type(version)}, not a string",
            'Quote it, e.g. "version": "1.0.0", or remove it to use the project version.',
        )
    if not version.strip() or version != version.strip() or not version.isprintable():
        raise _fail(
            source,
            "version",
            f"{version!r} is empty or has surrounding spaces or control characters",
            'Set it to a plain version, e.g. "version": "1.0.0", or remove it to use the project version.',
        )
    if len(version) > MAX_VERSION_LENGTH:
        raise _fail(
            source,
            "version",
            f"is {len(version)} characters long, at most {MAX_VERSION_LENGTH} fit (it is registered "
            "in Harmony)",
            'Set it to a plain version, e.g. "version": "1.0.0".',
        )
    if not _VERSION.fullmatch(version):
        raise _fail(
            source,
            "version",
            f"{version!r} may hold only letters, digits, '.', '-', '_' and '+', starting with a letter "
            "or digit",
            'Set it to a plain version, e.g. "version": "1.0.0" or "2.1.0-beta".',
        )
    return version


def _activities(obj: _Object, source: Path) -> tuple[str, ...]:
    if "activities" not in obj:
        raise _fail(
            source,
            "activities",
            _missing(obj, "activities"),
            'Add an object with one entry per activity, e.g. "activities": {"query": {...}}.',
        )
    activities = obj["activities"]
    if not isinstance(activities, _Object):
        raise _fail(
            source,
            "activities",
            f"is a {_json_type(activities)}, not an object",
            'Make it an object keyed by activity name, e.g. "activities": {"query": {...}}.',
        )
    keys = tuple(activities)
    for key in keys:
        problem = activity_key_problem(key)
        if problem:
            raise _fail(
                source,
                f"activities.{key}",
                f"the activity key {key!r} {problem}, so it cannot form the manifest attribute "
                f"{ACTIVITY_PREFIX}<key>",
                "Rename the activity (and the name your Java code registers it under).",
            )
    _check_case_collisions(keys, source)
    if len(keys) > MAX_ACTIVITIES:
        raise _fail(
            source,
            "activities",
            f"has {len(keys)} activities, Harmony allows at most {MAX_ACTIVITIES} per connector",
            "Remove activities or split the connector in two.",
        )
    return keys


def _check_case_collisions(keys: Sequence[str], source: Path) -> None:
    """Manifest attribute names are case-insensitive: `fetch` and `Fetch` would be one attribute."""
    clash = case_clash(keys)
    if clash is not None:
        other, key = clash
        raise _fail(
            source,
            f"activities.{key}",
            f"the activity keys {other!r} and {key!r} differ only in case, and manifest attribute "
            "names ignore case, so both would map to one attribute",
            "Rename one of them.",
        )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "string"


def _has_duplicates(value: Any) -> bool:
    if isinstance(value, _Object):
        return bool(value.duplicates) or any(_has_duplicates(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_duplicates(v) for v in value)
    return False


def _duplicates(text: str, obj: _Object, source: Path) -> list[str]:
    """Keys defined twice: an error for the registered ones (which value counts?), else a warning."""
    if not _has_duplicates(obj):
        return []
    warnings = []
    for where, key, line, first in duplicate_keys(text):
        shown = f"{where}.{key}" if where else key
        if where == "" and key in ("name", "version", "activities"):
            raise ConfigError(
                f"{source}, line {line}: `{key}` is defined more than once (first at line {first}). "
                "Keep one definition."
            )
        if where == "activities":
            raise ConfigError(
                f"{source}, line {line}: `activities` defines {key!r} more than once (first at line "
                f"{first}). Keep one definition per activity key."
            )
        warnings.append(
            f"{source}, line {line}: `{shown}` is defined a second time (first at line {first}); "
            "only the last one counts: keep one"
        )
    return warnings


def parse_adapter(data: bytes, *, source: Path) -> Adapter:
    """Validate adapter.json bytes; every problem is a ConfigError naming `source`, the key and a fix."""
    text, obj = _decode(data, source)
    if not isinstance(obj, _Object):
        raise _fail(
            source,
            None,
            f"the top level is a {_json_type(obj)}, not an object",
            'adapter.json must be an object with "name" and "activities".',
        )
    duplicated = _duplicates(text, obj, source)
    name, version, activities = _name(obj, source), _version(obj, source), _activities(obj, source)
    unknown = [f"{source}: {warning}" for warning in unknown_keys(obj)]
    return Adapter(
        path=source,
        name=name,
        version=version,
        activities=activities,
        digest=hashlib.sha256(data).hexdigest(),
        warnings=(*duplicated, *unknown),
        icons=tuple(icon_paths(obj)),
    )


def load_adapter(path: Path) -> Adapter:
    """Read and parse `path`; a missing or unreadable file is a ConfigError too."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(
            path, None, "does not exist", "Create it or fix the `adapter` option that points at it."
        ) from None
    except OSError as exc:
        raise _fail(
            path, None, f"cannot be read ({exc.strerror or exc})", "Check the file's permissions."
        ) from None
    return parse_adapter(data, source=path)


def check_fits(adapter: Adapter, id_range: range) -> None:
    """The registration's id range must hold one id per activity."""
    size = max(id_range.stop - id_range.start, 0)  # not len(): a hostile range may not fit in a C long
    if len(adapter.activities) > size:
        raise _fail(
            adapter.path,
            "activities",
            f"has {len(adapter.activities)} activities, but the registration's activity id range "
            f"{id_range.start}..{id_range.stop - 1} holds only {size}",
            "Remove activities, or register the connector under a new version to get a new range.",
        )
