"""Credentials never belong in pyproject.toml: any key that names one is refused, with the variable to use.

Why a rule of its own: pyproject.toml is committed and shipped in every sdist, so a password,
token, connector key or secret written there is leaked by the first push or upload. The
login email is refused too (it is half of a login, and a personal address). The rule
matches a key, never a value, at any depth of any of our tables (the hook table, its
environments and the jar target's), and no message ever echoes a value that could be one.
Keys that are file paths are not option names and are not matched: the keys of hatchling's
path maps (`force-include`, `sources`), where `icons/key.svg` is an icon, not a key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hatch_harmony.config.problems import Problems, toml_path
from hatch_harmony.vocabulary import EMAIL_VAR, KEY_VAR, PASSWORD_VAR, SECRET_VAR

# Substrings of the key with separators removed, then whole words, each with what to say.
_SECRET_SUBSTRINGS: tuple[tuple[str, str], ...] = (
    ("password", PASSWORD_VAR),
    ("passwd", PASSWORD_VAR),
    ("passphrase", PASSWORD_VAR),
    ("secret", SECRET_VAR),
    ("token", f"{EMAIL_VAR} and {PASSWORD_VAR}"),
    ("apikey", KEY_VAR),
    ("email", EMAIL_VAR),
)
#: hatchling options whose tables map file paths (keys) to paths in the archive (values).
PATH_MAPS = frozenset({"force-include", "sources"})

_SECRET_WORDS: dict[str, str] = {
    "key": KEY_VAR,
    "keys": KEY_VAR,
    "pwd": PASSWORD_VAR,
    "pass": PASSWORD_VAR,
    "mail": EMAIL_VAR,
}


def secret_variable(key: str) -> str | None:
    """The environment variable(s) to use instead of a pyproject key that names a credential.

    Matches any spelling: `password`, `Connector_Secret`, `connectorKey`, `e-mail`,
    `auth-token`... None for an ordinary key.
    """
    squashed = re.sub(r"[^a-z0-9]", "", key.lower())
    for needle, variable in _SECRET_SUBSTRINGS:
        if needle in squashed:
            return variable
    words = re.split(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", key)
    return next((_SECRET_WORDS[w.lower()] for w in words if w.lower() in _SECRET_WORDS), None)


def scan_secrets(table: Mapping[str, Any], path: str, problems: Problems) -> set[str]:
    """Report every credential-like key at any depth; returns this level's offending keys.

    The caller skips the returned keys, so a credential gets this one message and not also
    "unknown option".
    """
    found: set[str] = set()
    for key, value in table.items():
        here = toml_path(path, key)
        variable = secret_variable(str(key))
        if variable is not None:
            found.add(key)
            what = "a connector credential" if "CONNECTOR" in variable else "a Harmony login credential"
            problems.add(
                here,
                f"{what} never goes in pyproject.toml: the file is committed and shipped in every sdist. "
                f"Delete this key and set {variable} in the environment (locally or from your CI's "
                "secret store) instead.",
            )
        elif isinstance(value, Mapping) and key not in PATH_MAPS:
            scan_secrets(value, here, problems)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    scan_secrets(item, f"{here}[{index}]", problems)
    return found


def secret_keys(value: object) -> set[str]:
    """The keys of a table that `scan_secrets` reports (when it scanned an enclosing table already)."""
    if not isinstance(value, Mapping):
        return set()
    return {name for name in value if secret_variable(str(name)) is not None}
