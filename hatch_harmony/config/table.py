"""The hook table: where it is in pyproject.toml, which keys it may hold, and its environments.

Why the setuptools table goes through here too: the hatch hook, the CLI and the setuptools
integration must agree on every option and message, so `[tool.hatch-harmony]` is the hook
table under another path (only hatchling's own hook options mean nothing there). Each
option's value rule is in `options.py`; this module decides which keys are options at
all (with the nearest one for a typo), validates every environment table whether it is
selected or not, and merges the selected one over the base table. The only I/O is
`read_project_table`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hatch_harmony.config.credentials import scan_secrets, secret_keys
from hatch_harmony.config.options import PARSERS, attributes
from hatch_harmony.config.problems import Problems, did_you_mean, toml_kind, toml_path
from hatch_harmony.errors import ConfigError

HOOK_TABLE = "tool.hatch.build.hooks.harmony"
SETUPTOOLS_TABLE = "tool.hatch-harmony"

#: Options of the hook table (and of `[tool.hatch-harmony]`); all but `environments` may
#: also appear in an environment table.
OPTIONS: tuple[str, ...] = (
    "adapter",
    "manifest-template",
    "manifest",
    "ui-file",
    "region",
    "url",
    "org-id",
    "lock",
    "verify",
    "register-per-version",
    "attributes",
    "deploy",
    "restart",
    "restart-command",
    "environments",
)

#: hatchling reads these from every build-hook table itself; they mean nothing to us.
HATCH_HOOK_OPTIONS: tuple[str, ...] = (
    "enable-by-default",
    "dependencies",
    "require-runtime-dependencies",
    "require-runtime-features",
)

_ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def parse_options(
    table: Mapping[str, Any], path: str, problems: Problems, *, base: bool, allow_hatch: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One table's options, validated. Returns (options, raw environments table or {})."""
    # The base table's scan reaches into every environment, so each credential is reported once.
    skipped = scan_secrets(table, path, problems) if base else secret_keys(table)
    options: dict[str, Any] = {}
    environments: dict[str, Any] = {}
    for key, value in table.items():
        where = toml_path(path, key)
        if key in skipped or not _is_option(key, where, problems, base=base, allow_hatch=allow_hatch):
            continue
        if key == "environments":
            if isinstance(value, Mapping):
                environments = dict(value)
            else:
                problems.add(
                    where,
                    f"expected a table of tables, got {toml_kind(value)}; write [{path}.environments.prod]",
                )
            continue
        if key == "attributes":
            parsed = attributes(value, where, problems, secret_keys(value))
        else:
            parsed = PARSERS[key](value, where, problems)
        if parsed is not None:
            options[key] = parsed
    if "url" in table and "region" in table:
        problems.add(
            f"{path}.url",
            "`url` and `region` are both set; keep one (`region` for Jitterbit's hosts, `url` for any other)",
        )
    return options, environments


def _is_option(key: str, where: str, problems: Problems, *, base: bool, allow_hatch: bool) -> bool:
    """Whether `key` is one of our options here; reports why not, except for accepted hatch options."""
    known = OPTIONS if base else tuple(o for o in OPTIONS if o != "environments")
    if key in HATCH_HOOK_OPTIONS:
        if not base:
            problems.add(where, f"is a hatch option of the whole hook; move it up to [{_root(where)}]")
        elif not allow_hatch:
            problems.add(where, "is a hatch build-hook option, meaningless in this table; delete it")
        return False
    if key == "environments" and not base:
        problems.add(where, "environments do not nest; define each one directly under environments")
        return False
    if key not in known:
        problems.add(where, f"unknown option.{did_you_mean(key, known)} Valid options: {', '.join(known)}")
        return False
    return True


def _root(path: str) -> str:
    """The base table of an environment option's path."""
    return path.split(".environments.", 1)[0]


# --------------------------------------------------------------------------- environments


def parse_environments(
    raw_envs: Mapping[str, Any], table_path: str, problems: Problems, *, allow_hatch: bool
) -> dict[str, dict[str, Any]]:
    """Every environment table, validated whether selected or not: a typo in `prod` fails a dev build too."""
    environments: dict[str, dict[str, Any]] = {}
    for name, env_table in raw_envs.items():
        where = toml_path(f"{table_path}.environments", name)
        if not _ENV_NAME.fullmatch(name):
            problems.add(
                where,
                "environment names hold letters, digits, '.', '-' and '_' and start with a letter or digit "
                "(the name becomes a folder of the default manifest path)",
            )
        elif not isinstance(env_table, Mapping):
            problems.add(
                where, f'expected a table, got {toml_kind(env_table)}; write [{where}] and org-id = "..."'
            )
        else:
            options, _ = parse_options(env_table, where, problems, base=False, allow_hatch=allow_hatch)
            environments[name] = options
    return environments


def select(
    base: dict[str, Any],
    raw_envs: Mapping[str, Any],
    environments: Mapping[str, dict[str, Any]],
    selected: str | None,
    *,
    source: str,
    undo: str,
    table_path: str,
    problems: Problems,
) -> dict[str, Any]:
    """The base options, merged with the selected environment's.

    With environments defined and none selected, the base table alone applies: a plain
    `hatch build` keeps working, and environment tables hold only what differs. `source`
    names what selected it (HARMONY_ENV or --env), `undo` how to select none.
    """
    if selected is None:
        return base
    if selected in environments:
        return _merge(base, environments[selected])
    if selected in raw_envs:
        return base  # its table is broken, and already reported
    if raw_envs:
        defined = ", ".join(sorted(raw_envs))
        problems.add(source, f"environment {selected!r} is not defined; the environments are: {defined}")
    else:
        problems.add(
            source,
            f"environment {selected!r} is selected, but pyproject.toml defines no environments; add "
            f"[{table_path}.environments.{selected}], or {undo}",
        )
    return base


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """An environment's options over the base table's: key by key, attributes name by name.

    `url` and `region` are one setting (the host): an environment naming either replaces both.
    """
    merged = dict(base)
    if "url" in override or "region" in override:
        merged.pop("url", None)
        merged.pop("region", None)
    for key, value in override.items():
        if key == "attributes" and isinstance(merged.get("attributes"), dict):
            overridden = {name.lower() for name in value}
            kept = {
                name: item for name, item in merged["attributes"].items() if name.lower() not in overridden
            }
            merged["attributes"] = {**kept, **value}
        else:
            merged[key] = value
    return merged


# --------------------------------------------------------------------------- pyproject.toml


def find_harmony_table(pyproject: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The harmony table of a parsed pyproject and its TOML path; None when there is none.

    Order: the global hatch hook table, a target-level one (`jar` first, then targets by
    name, as hatchling allows hooks per target), then `[tool.hatch-harmony]`.
    Raises ConfigError when a table is not a table, or both a hatch and a setuptools table exist.
    """
    tool = pyproject.get("tool", {})
    tool = tool if isinstance(tool, Mapping) else {}
    found = _hatch_table(_get_table(tool, ("hatch", "build")))
    if "hatch-harmony" in tool:
        if found is not None:
            raise ConfigError(
                f"pyproject.toml has both [{found[1]}] (hatch) and [{SETUPTOOLS_TABLE}] (setuptools); "
                "keep the one for your build backend and delete the other"
            )
        found = (tool["hatch-harmony"], SETUPTOOLS_TABLE)
    if found is None:
        return None
    table, path = found
    if not isinstance(table, Mapping):
        raise ConfigError(f"pyproject.toml: {path}: expected a table, got {toml_kind(table)}; write [{path}]")
    return dict(table), path


def _hatch_table(hatch_build: Mapping[str, Any]) -> tuple[Any, str] | None:
    """The hatch hook's table (global first, then per target) and its path; None when there is none."""
    hooks = _get_table(hatch_build, ("hooks",))
    if "harmony" in hooks:
        return hooks["harmony"], HOOK_TABLE
    targets = _get_table(hatch_build, ("targets",))
    for name in sorted(targets, key=lambda n: (n != "jar", n)):
        target_hooks = _get_table(targets, (name, "hooks"))
        if "harmony" in target_hooks:
            return target_hooks["harmony"], f"tool.hatch.build.targets.{name}.hooks.harmony"
    return None


def _get_table(table: Mapping[str, Any], keys: tuple[str, ...]) -> Mapping[str, Any]:
    current: Any = table
    for key in keys:
        current = current.get(key, {}) if isinstance(current, Mapping) else {}
    return current if isinstance(current, Mapping) else {}


def hook_table_path(root: Path) -> str:
    """Where the hatch hook's table is, as messages name it: a hatch.toml `[build]` replaces
    pyproject's `[tool.hatch.build]`, and hatchling then took the table from there."""
    from hatch_harmony.config import hatch_toml

    return hatch_toml.HATCH_TOML_TABLE if hatch_toml.read_build(root) is not None else HOOK_TABLE


def read_project_table(root: Path) -> tuple[dict[str, Any], str]:
    """root/pyproject.toml's harmony table and its TOML path, for the CLI and setuptools.

    Read as hatchling reads it: a hatch.toml beside it with a `[build]` table replaces
    `[tool.hatch.build]` (config/hatch_toml.py), which may hide the hook: that is an error.
    """
    path = root / "pyproject.toml"
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path} does not exist: run hatch-harmony in the connector project (or pass --project DIR)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read ({exc.strerror}); check its permissions") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    from hatch_harmony.config import hatch_toml

    # hatchling's reading: a hatch.toml beside it may hide the hook
    data, from_hatch_toml = hatch_toml.apply(root, hatch_toml.parse(path, text))
    found = find_harmony_table(data)
    if found is not None and from_hatch_toml and found[1].startswith("tool.hatch.build."):
        return found[0], found[1].removeprefix("tool.hatch.")  # its path inside hatch.toml
    if found is None and from_hatch_toml:
        raise ConfigError(f"{path} has no hatch-harmony table, and {hatch_toml.hidden_message(False)}")
    if found is None:
        raise ConfigError(
            f"{path} has no hatch-harmony table: add [{HOOK_TABLE}] (hatch builds) or [{SETUPTOOLS_TABLE}] "
            '(setuptools builds), e.g. with org-id = "12345"'
        )
    return found
