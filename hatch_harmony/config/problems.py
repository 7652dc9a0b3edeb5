"""The problem collector: every problem of the settings at once, each with where it is and the fix.

Why collect instead of raising at the first problem: a user who fixes their pyproject one
error per build gives up; one `ConfigError` listing everything lets them fix it in one
round (hatch-fancy-pypi-readme's config module does the same). Both tables report here, the
hook table (`config`) and the jar target's (`jar.config`), so a message reads the same
whichever table it comes from: a full TOML path (or a variable or CLI option name), what is
wrong, and what to write instead.

The helpers beside the collector are the words every message uses: a key's TOML path, the
TOML name of a value's type, and the nearest known option for a typo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time

from hatch_harmony.errors import ConfigError


class Problems:
    """Collects every problem, so one ConfigError can list them all.

    `where` is a full TOML path (starting with "tool.") or the name of an environment
    variable or CLI option; the message says which file or variables are at fault.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.in_file = False
        self.outside = False

    def add(self, where: str, message: str) -> None:
        """Record one problem; `message` follows `where: ` and ends with the fix."""
        if where.startswith("tool."):
            self.in_file = True
        else:
            self.outside = True
        self.lines.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        """One ConfigError naming every problem and where they are (pyproject.toml, the environment)."""
        if not self.lines:
            return
        if len(self.lines) == 1:
            raise ConfigError(f"pyproject.toml: {self.lines[0]}" if self.in_file else self.lines[0])
        sources = " and ".join(
            name
            for name, used in (("pyproject.toml", self.in_file), ("the environment", self.outside))
            if used
        )
        listed = "\n".join(f"  - {line}" for line in self.lines)
        raise ConfigError(f"{len(self.lines)} problems in the hatch-harmony settings ({sources}):\n{listed}")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_path(path: str, key: str) -> str:
    """`path.key` as TOML writes it: keys other than bare keys are quoted, so the user can search for it."""
    if _BARE_KEY.fullmatch(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}."{escaped}"'


#: TOML's names for value types, as a user reads them in their file; bool before int.
_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (list, "an array"),
    (Mapping, "a table"),
    ((datetime, date, time), "a date/time"),
)


def toml_kind(value: object) -> str:
    """The type of a parsed value in TOML's words ("a string", "an array"), not Python's."""
    return next((name for kind, name in _KINDS if isinstance(value, kind)), type(value).__name__)


def did_you_mean(key: str, known: tuple[str, ...]) -> str:
    """' Did you mean "org-id"?' for typos and snake_case spellings; empty when nothing is close."""
    dashed = key.replace("_", "-").lower()
    if dashed in known and dashed != key:
        return f' Did you mean "{dashed}"?'
    import difflib  # only when a key is unknown: every jar build imports this module

    close = difflib.get_close_matches(dashed, known, n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""
