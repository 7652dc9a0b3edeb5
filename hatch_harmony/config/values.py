"""The checks of plain values every table shares: a one-line string, a boolean, a project path.

Why here and not in one table's module: the hook table (`config.options`) and the jar
target's table (`jar.config`) take strings and booleans with the same rules and the same
messages; the jar table's options are hatchling's target options, so it asks this module
rather than importing the hook table.
"""

from __future__ import annotations

import os
from pathlib import Path

from hatch_harmony.config.problems import Problems, toml_kind
from hatch_harmony.util import env as yes_no


def string_option(value: object, where: str, example: str, problems: Problems) -> str | None:
    """A non-empty one-line string, or None after reporting why not (`example` is the fix, as TOML)."""
    if not isinstance(value, str):
        problems.add(where, f"expected a string, got {toml_kind(value)}; write {example}")
        return None
    if not value.strip():
        problems.add(where, f"is empty; write {example}, or delete the key for the default")
        return None
    if any(c in value for c in "\0\r\n"):
        problems.add(where, f"must be one line without control characters; write {example}")
        return None
    return value


def path_option(value: object, where: str, example: str, problems: Problems) -> str | None:
    """A project path as `string_option` checks it, written with "/" on every OS.

    A backslash is refused rather than read as a separator: on Linux and macOS it is part of a
    file name, so `build\\harmony\\MANIFEST.MF` would name one odd file in the project root,
    and every fix built from it (a .gitignore line, where `\\` escapes) would miss. The fix
    shows the value with "/": pyproject.toml is shared between the machines of a team.
    """
    text = string_option(value, where, example, problems)
    if text is None or "\\" not in text:
        return text
    option = example.split("=", maxsplit=1)[0].strip()
    fixed = text.replace("\\", "/")
    problems.add(
        where,
        f'has a backslash; paths in the configuration use "/" on every OS (Windows too): '
        f'write {option} = "{fixed}"',
    )
    return None


def bool_option(value: object, where: str, example: str, problems: Problems) -> bool | None:
    """A TOML boolean, or None after reporting why not.

    A quoted yes/no word ("true", "yes", "1": the words of yes/no variables, util/env.py) is
    still refused, since TOML says it is a string, but the fix names the boolean it meant.
    """
    if isinstance(value, bool):
        return value
    hint = example
    if isinstance(value, str) and value.strip().lower() in yes_no.YES + yes_no.NO:
        option = example.split("=", maxsplit=1)[0].strip()
        hint = f"{option} = {str(value.strip().lower() in yes_no.YES).lower()} (no quotes)"
    problems.add(where, f"expected a boolean, got {toml_kind(value)}; write {hint}")
    return None


def project_path(root: Path, relative: str) -> Path:
    """root / relative, normalised lexically ('..' folded), without following symlinks.

    Lexically, so that a configured path is judged (inside the project? git-ignored?) as
    written; symlinks are resolved where a file is opened or written (destination.py).
    """
    return Path(os.path.normpath(root / relative))
