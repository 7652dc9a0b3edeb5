"""JSON and TOML text with integers longer than Python converts: one error naming the key, not a ValueError.

Why this exists: since 3.11 (and 3.10.7) Python refuses to turn more than 4300 decimal
digits into an int (a guard against quadratic-time parsing), and `json.loads` and
`tomllib.loads` pass that refusal on as a bare `ValueError` that names neither the key
nor the line. A hand-edited harmony.lock or adapter.json holding such a number then
ended the build with a traceback. Every reader of a project file asks
this module, so the rule and its wording live in one place: adapter.json and harmony.lock
do; pyproject.toml readers should too.

JSON gives the exact key path: the parser hands each integer literal to a hook, which
keeps an over-long one as a marker instead of converting it. tomllib has no such hook, so
for TOML the offending literal is found in the text (the first decimal integer in a value
position longer than the limit), with its line and its key as written there.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    # mypy checks as 3.10 but the dev venv (3.11+) has no tomli installed: hence the ignore.
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

#: The one spelling of TOML's parse error for every reader (the 3.10 shim lives here only).
TOMLDecodeError = tomllib.TOMLDecodeError

#: A shown key is cut to this many characters: the message must stay one readable line.
_MAX_SHOWN_KEY = 60


def digit_limit() -> int:
    """The interpreter's int-string conversion limit (0: none), read per call since it may be changed."""
    get = getattr(sys, "get_int_max_str_digits", None)
    return int(get()) if get is not None else 0


class LongIntegerError(ValueError):
    """An integer literal longer than Python converts; `describe()` says where, for the file's message."""

    def __init__(self, key: str | None, line: int | None, digits: int, limit: int) -> None:
        self.key = key
        self.line = line
        self.digits = digits
        self.limit = limit
        super().__init__(self.describe())

    def describe(self) -> str:
        """Where and what, e.g. `a.b` (line 3) is an integer of 5001 digits; file and fix are the caller's."""
        if self.key:
            where = f"`{self.key}`" + (f" (line {self.line})" if self.line is not None else "")
        else:
            where = f"the value on line {self.line}" if self.line is not None else "a value"
        return (
            f"{where} is an integer of {self.digits} digits, more than the {self.limit} Python reads "
            "(no real value needs that many)"
        )


class _Long:
    """Stands in for an integer literal that was not converted."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def load_json(text: str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """`json.loads`, except that an over-long integer raises LongIntegerError naming its key path.

    Other errors (json.JSONDecodeError, RecursionError) are the caller's to report.
    """
    limit = digit_limit()
    found: list[_Long] = []

    def parse_int(literal: str) -> int | _Long:
        digits = len(literal) - literal.startswith("-")
        if limit and digits > limit:
            found.append(_Long(digits))
            return found[-1]
        return int(literal)

    value = json.loads(text, object_pairs_hook=object_pairs_hook, parse_int=parse_int)
    if found:
        key, marker = _first_long(value)
        raise LongIntegerError(key, None, marker.digits, limit)
    return value


def _first_long(value: Any) -> tuple[str | None, _Long]:
    """The path (`a.b[2].c`) of the first marker, in document order; iterative, as the data may be deep."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, _Long):
            return path or None, current
        if isinstance(current, dict):
            children = [(_join(path, str(k)), v) for k, v in current.items()]
        elif isinstance(current, list):
            children = [(f"{path}[{i}]", v) for i, v in enumerate(current)]
        else:
            continue
        stack.extend(reversed(children))
    raise AssertionError("a marker was recorded but is not in the parsed value")  # pragma: no cover


def _join(path: str, key: str) -> str:
    shown = key if key.isprintable() else repr(key)
    if len(shown) > _MAX_SHOWN_KEY:
        shown = shown[: _MAX_SHOWN_KEY - 1] + "…"
    return f"{path}.{shown}" if path else shown


#: A decimal TOML integer (underscores allowed), not part of a word, float, date or bare key.
_TOML_INTEGER = re.compile(r"(?<![\w.:+-])[+-]?[0-9](?:_?[0-9])*(?![\w.:])")
_TOML_HEADER = re.compile(r"\s*\[\[?\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?")
_TOML_KEY = re.compile(r"\s*([^=#\[\s][^=#]*?)\s*=")


def load_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, except that an over-long integer raises LongIntegerError naming line and key.

    tomllib.TOMLDecodeError (a ValueError too) passes through for the caller to report.
    """
    try:
        return dict(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:  # only int() raises a bare ValueError inside tomllib
        raise _locate_toml(text, str(exc)) from None


def _locate_toml(text: str, reason: str) -> LongIntegerError:
    limit = digit_limit()
    for match in _TOML_INTEGER.finditer(text):
        digits = len(match.group().lstrip("+-").replace("_", ""))
        if digits <= limit or text[: match.start()].rstrip()[-1:] not in ("=", "[", ",", "{"):
            continue
        line = text.count("\n", 0, match.start()) + 1
        return LongIntegerError(_toml_key(text, match.start()), line, digits, limit)
    stated = re.search(r"has (\d+) digits", reason)  # not found in the text: what Python said
    return LongIntegerError(None, None, int(stated.group(1)) if stated else limit + 1, limit)


def _toml_key(text: str, position: int) -> str | None:
    """`table.key` for the key on the literal's line, under the last table header above it."""
    start = text.rfind("\n", 0, position) + 1
    key = _TOML_KEY.match(text, start, position)
    if key is None:
        return None
    header = None
    for line in reversed(text[:start].splitlines()):
        found = _TOML_HEADER.fullmatch(line)
        if found:
            header = re.sub(r"\s*\.\s*", ".", found.group(1))
            break
    name = re.sub(r"\s*\.\s*", ".", key.group(1))
    full = f"{header}.{name}" if header else name
    return full if len(full) <= _MAX_SHOWN_KEY else full[: _MAX_SHOWN_KEY - 1] + "…"
