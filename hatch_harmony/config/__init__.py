"""The project's hatch-harmony settings: validated once, every problem reported at once.

Why one package for the hatch hook table and the setuptools table: the hook, the CLI and
the setuptools integration must agree on every option, default and message, so they all go
through `load_config` (modelled on hatch-fancy-pypi-readme's config module; the `jar`
target's table is the jar builder's own, `jar.config`, which reports through the same
collector). Validation is pure: it collects every problem with its full TOML path and
raises one `ConfigError` listing them all, so a user fixes their pyproject in one round
instead of one error per build. The only I/O is `read_project_table`.

Secrets (password, token, connector key/secret) and the login email never belong in
pyproject.toml: the file is committed and shipped in every sdist. Any such key anywhere
in a table is refused, naming the environment variable to use, and no message here ever
echoes a value that could be one.

One concept per module; this file is the package's public face:

- `problems`: the collector (`Problems`) and the words of every message (TOML path, value
  kind, "did you mean");
- `values`: strings and booleans, checked alike in every table (the jar table's too);
- `credentials`: the keys that name a credential, refused wherever they appear;
- `options`: each hook option's rule and default (host and org id asked of host.py and
  vocabulary.py);
- `table`: where the hook table is, which keys it holds, its environments;
- `overlay`: HARMONY_* variables over the table;
- `resolved`: `HarmonyConfig` and `load_config`, which puts them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hatch_harmony.config.credentials import scan_secrets, secret_variable
from hatch_harmony.config.problems import Problems, did_you_mean, toml_kind, toml_path
from hatch_harmony.config.values import bool_option, path_option, project_path, string_option

if TYPE_CHECKING:
    from hatch_harmony.config.options import (
        DEFAULT_LOCK,
        DEFAULT_MANIFEST,
        DEFAULT_REGION,
        DEFAULT_UI_FILE,
        attribute_problem,
        url_problem,
    )
    from hatch_harmony.config.resolved import HarmonyConfig, load_config
    from hatch_harmony.config.table import (
        HATCH_HOOK_OPTIONS,
        HOOK_TABLE,
        OPTIONS,
        SETUPTOOLS_TABLE,
        find_harmony_table,
        read_project_table,
    )

#: The hook table's names, imported on first use: the `jar` target checks its own table
#: with the collector and the value checks above and needs none of them, so a warm jar
#: build does not pay for the hook table, the host rules and the environment overlay.
_LAZY = {
    "options": (
        "DEFAULT_LOCK",
        "DEFAULT_MANIFEST",
        "DEFAULT_REGION",
        "DEFAULT_UI_FILE",
        "attribute_problem",
        "url_problem",
    ),
    "resolved": ("HarmonyConfig", "load_config"),
    "table": (
        "HATCH_HOOK_OPTIONS",
        "HOOK_TABLE",
        "OPTIONS",
        "SETUPTOOLS_TABLE",
        "find_harmony_table",
        "read_project_table",
    ),
}


def __getattr__(name: str) -> Any:
    import importlib

    for module, names in _LAZY.items():
        if name in names:
            return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_LOCK",
    "DEFAULT_MANIFEST",
    "DEFAULT_REGION",
    "DEFAULT_UI_FILE",
    "HATCH_HOOK_OPTIONS",
    "HOOK_TABLE",
    "OPTIONS",
    "SETUPTOOLS_TABLE",
    "HarmonyConfig",
    "Problems",
    "attribute_problem",
    "bool_option",
    "did_you_mean",
    "find_harmony_table",
    "load_config",
    "path_option",
    "project_path",
    "read_project_table",
    "scan_secrets",
    "secret_variable",
    "string_option",
    "toml_kind",
    "toml_path",
    "url_problem",
]
