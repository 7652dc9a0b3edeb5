"""The project's hatch-harmony settings: validated once, every problem reported at once.

Why one module for the hatch hook table and the setuptools table: the hook, the CLI and
the setuptools integration must agree on every option, default and message, so they all go
through `load_config` (modelled on hatch-fancy-pypi-readme's config module; the `jar`
target's table is the jar builder's own, `jar_config`). Validation is pure: it collects
every problem with its full TOML path and raises one `ConfigError` listing them all, so a
user fixes their pyproject in one round instead of one error per build. The only I/O here
is `read_project_table`.

Secrets (password, token, connector key/secret) and the login email never belong in
pyproject.toml: the file is committed and shipped in every sdist. Any such key anywhere
in a table is refused, naming the environment variable to use, and no message here ever
echoes a value that could be one.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from . import manifest, yes_no
from .errors import ConfigError
from .host import REGIONS, Host, HostError
from .long_integers import LongIntegerError, TOMLDecodeError, load_toml
from .vocabulary import (
    EMAIL_VAR,
    ENV_VAR,
    KEY_VAR,
    NO_WARM_STAMP_VAR,
    OFFLINE_VAR,
    ORG_ID_RULE,
    ORG_ID_VAR,
    PASSWORD_VAR,
    REGION_VAR,
    SECRET_VAR,
    URL_VAR,
    VERIFY_VAR,
    is_org_id,
)

HOOK_TABLE = "tool.hatch.build.hooks.harmony"
SETUPTOOLS_TABLE = "tool.hatch-harmony"

#: NA is the first region Jitterbit documents and the host of its Postman collection's
#: default environment, so a project that names no host talks to na-east.
DEFAULT_REGION = "na"

#: Under build/, which connector projects (Maven, Gradle, Python) already ignore in git, and
#: outside every package, so the secret-bearing file is neither committed nor packaged.
DEFAULT_MANIFEST = "build/harmony/MANIFEST.MF"
DEFAULT_LOCK = "harmony.lock"
DEFAULT_UI_FILE = "adapter.json"


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
#: The words of yes/no variables (yes_no.py), also suggested for a quoted TOML boolean.
_TRUE, _FALSE = yes_no.YES, yes_no.NO

#: Manifest attributes the build writes itself; `attributes` may not override them, or a
#: typo in pyproject would ship a connector with a wrong key or id.
_RESERVED_ATTRIBUTES: dict[str, str] = {
    "manifest-version": "it is always 1.0, written first",
    "name": "it starts a per-entry section, never the main one",
    "jitterbit-connector": "the build always writes `Jitterbit-Connector: true`",
    "jitterbit-connector-ui": "set the `ui-file` option instead",
    "class-path": "the `jar` target lists exactly the lib/*.jar it bundles; a Maven build keeps the one "
    "in `manifest-template`",
}
_RESERVED_PREFIXES = (
    "jitterbit-connector-key",
    "jitterbit-connector-secret",
    "jitterbit-connector-endpoint-",
)
_RESERVED_ACTIVITY_PREFIX = "jitterbit-activity-"

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class HarmonyConfig:
    """The resolved settings of one build: file options, environment, variables, defaults.

    Every path is absolute (joined to `root`, not resolved through symlinks, so callers
    can show it relative to the root they passed). `attributes` is a plain dict for
    convenience; treat it as read-only.
    """

    root: Path
    environment: str | None
    adapter: Path | None
    manifest_template: Path | None
    manifest: Path
    ui_file: str
    url: str | None
    region: str | None
    org_id: str | None
    lock: Path
    verify: bool
    register_per_version: bool
    attributes: dict[str, str]
    offline: bool
    table_path: str

    @property
    def host_setting(self) -> str:
        """What the client takes as its host: the URL when one is set, else the region name."""
        return self.url if self.url else (self.region or DEFAULT_REGION)


# --------------------------------------------------------------------------- problems


class _Problems:
    """Collects every problem, so one ConfigError can list them all.

    `where` is a full TOML path (starting with "tool.") or the name of an environment
    variable or CLI option; the message says which file or variables are at fault.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.in_file = False
        self.outside = False

    def add(self, where: str, message: str) -> None:
        if where.startswith("tool."):
            self.in_file = True
        else:
            self.outside = True
        self.lines.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
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


def _dotted(path: str, key: str) -> str:
    """`path.key` as TOML writes it: keys other than bare keys are quoted."""
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


def _kind(value: object) -> str:
    return next((name for kind, name in _KINDS if isinstance(value, kind)), type(value).__name__)


def _suggest(key: str, known: tuple[str, ...]) -> str:
    """' Did you mean "org-id"?' for typos and snake_case spellings; empty when nothing is close."""
    dashed = key.replace("_", "-").lower()
    if dashed in known and dashed != key:
        return f' Did you mean "{dashed}"?'
    close = difflib.get_close_matches(dashed, known, n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


# --------------------------------------------------------------------------- secrets

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


def _scan_secrets(table: Mapping[str, Any], path: str, problems: _Problems) -> set[str]:
    """Report every credential-like key at any depth; returns this level's offending keys."""
    found: set[str] = set()
    for key, value in table.items():
        here = _dotted(path, key)
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
        elif isinstance(value, Mapping):
            _scan_secrets(value, here, problems)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    _scan_secrets(item, f"{here}[{index}]", problems)
    return found


# --------------------------------------------------------------------------- option parsers


def _string(value: object, where: str, example: str, problems: _Problems) -> str | None:
    if not isinstance(value, str):
        problems.add(where, f"expected a string, got {_kind(value)}; write {example}")
        return None
    if not value.strip():
        problems.add(where, f"is empty; write {example}, or delete the key for the default")
        return None
    if any(c in value for c in "\0\r\n"):
        problems.add(where, f"must be one line without control characters; write {example}")
        return None
    return value


def _bool(value: object, where: str, example: str, problems: _Problems) -> bool | None:
    if isinstance(value, bool):
        return value
    hint = example
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        option = example.split("=", maxsplit=1)[0].strip()
        hint = f"{option} = {str(value.strip().lower() in _TRUE).lower()} (no quotes)"
    problems.add(where, f"expected a boolean, got {_kind(value)}; write {hint}")
    return None


def _path(value: object, where: str, option: str, example: str, problems: _Problems) -> str | None:
    text = _string(value, where, f'{option} = "{example}"', problems)
    if text is None:
        return None
    if text.endswith(("/", "\\")):
        problems.add(where, f'names a folder; name the file, e.g. {option} = "{example}"')
        return None
    return text


def _region(value: object, where: str, problems: _Problems) -> str | None:
    names = ", ".join(f'"{name}"' for name in REGIONS)
    if not isinstance(value, str):
        problems.add(where, f'expected a string, got {_kind(value)}; write region = "{DEFAULT_REGION}"')
        return None
    region = value.strip().lower()
    if region not in REGIONS:
        problems.add(
            where,
            f"{value!r} is not a Harmony region; use one of {names}, or `url` for any other host",
        )
        return None
    return region


def url_problem(value: str) -> str | None:
    """Why `value` cannot be a Harmony host URL, or None. Never quotes the value (it may hold a password).

    The rule is the host module's (host.py), its one owner: what passes here is exactly what
    the lock key and the client accept, so no URL is refused only once a request is made.
    """
    try:
        Host.parse(value)
    except HostError as exc:
        return exc.problem
    return None


def _url(value: object, where: str, problems: _Problems) -> str | None:
    text = _string(value, where, 'url = "https://na-east.jitterbit.com"', problems)
    if text is None:
        return None
    problem = url_problem(text)
    if problem:
        problems.add(where, problem)
        return None
    return text.rstrip("/")


def _org_id(value: object, where: str, problems: _Problems) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        problems.add(where, f'expected a string, got an integer; write org-id = "{value}"')
        return None
    text = _string(value, where, 'org-id = "12345"', problems)
    if text is None:
        return None
    if not is_org_id(text):
        problems.add(where, ORG_ID_RULE)
        return None
    return text


def attribute_problem(name: str, value: object) -> str | None:
    """Why `name = value` cannot be an extra manifest attribute, or None."""
    if manifest.name_problem(name) is not None:  # the JAR spec's rule, defined once in manifest.py
        return (
            "is not a valid manifest attribute name: use letters, digits, '-' and '_', starting with a "
            "letter or digit, at most 70 characters"
        )
    lowered = name.lower()
    if lowered in _RESERVED_ATTRIBUTES:
        return f"cannot be set in `attributes`: {_RESERVED_ATTRIBUTES[lowered]}"
    if lowered.startswith(_RESERVED_PREFIXES) or lowered.startswith(_RESERVED_ACTIVITY_PREFIX):
        return (
            "is a registration attribute: the build writes it from the Harmony registration; delete it from "
            "`attributes`"
        )
    if not isinstance(value, str):
        return f'expected a string, got {_kind(value)}; write {name} = "..." (quoted)'
    if manifest.value_problem(value) is not None:
        return "must be one line of text: a manifest value cannot hold NUL, CR, LF or invalid UTF-8"
    return None


def _attributes(value: object, where: str, problems: _Problems, skip: set[str]) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        problems.add(where, f'expected a table, got {_kind(value)}; write attributes = {{ Author = "ACME" }}')
        return None
    result: dict[str, str] = {}
    seen: dict[str, str] = {}
    ok = True
    for name, item in value.items():
        if name in skip:
            ok = False
            continue
        here = _dotted(where, name)
        problem = attribute_problem(name, item)
        if problem:
            problems.add(here, problem)
            ok = False
            continue
        if name.lower() in seen:
            problems.add(here, f"repeats {seen[name.lower()]!r}: manifest attribute names ignore case")
            ok = False
            continue
        seen[name.lower()] = name
        result[name] = item
    return result if ok else None


def _ui_file(value: object, where: str, problems: _Problems) -> str | None:
    text = _string(value, where, f'ui-file = "{DEFAULT_UI_FILE}"', problems)
    if text is None:
        return None
    parts = text.split("/")
    if text.startswith("/") or "\\" in text or any(p in ("", ".", "..") for p in parts):
        problems.add(
            where,
            f'must be a plain path inside the jar such as "{DEFAULT_UI_FILE}" (no leading "/", "\\", '
            '"." or ".." parts)',
        )
        return None
    if parts[0].upper() == "META-INF":
        problems.add(
            where,
            "must not be inside META-INF/: the JAR specification reserves it (META-INF/MANIFEST.MF is the "
            f'manifest itself, and signatures live there); use a name such as "{DEFAULT_UI_FILE}"',
        )
        return None
    return text


# --------------------------------------------------------------------------- tables


_Parser = Callable[[object, str, _Problems], Any]

_PARSERS: dict[str, _Parser] = {
    "adapter": lambda v, w, p: _path(v, w, "adapter", "ui/adapter.json", p),
    "manifest-template": lambda v, w, p: _path(v, w, "manifest-template", "MANIFEST.MF", p),
    "manifest": lambda v, w, p: _path(v, w, "manifest", "src/main/resources/META-INF/MANIFEST.MF", p),
    "lock": lambda v, w, p: _path(v, w, "lock", DEFAULT_LOCK, p),
    "ui-file": _ui_file,
    "region": _region,
    "url": _url,
    "org-id": _org_id,
    "verify": lambda v, w, p: _bool(v, w, "verify = true", p),
    "register-per-version": lambda v, w, p: _bool(v, w, "register-per-version = true", p),
}


def _parse_options(
    table: Mapping[str, Any], path: str, problems: _Problems, *, base: bool, allow_hatch: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One table's options, validated. Returns (options, raw environments table or {})."""
    # The base table's scan reaches into every environment, so each credential is reported once.
    secret_keys = _scan_secrets(table, path, problems) if base else _inner_secrets(table)
    options: dict[str, Any] = {}
    environments: dict[str, Any] = {}
    for key, value in table.items():
        where = _dotted(path, key)
        if key in secret_keys or not _is_option(key, where, problems, base=base, allow_hatch=allow_hatch):
            continue
        if key == "environments":
            if isinstance(value, Mapping):
                environments = dict(value)
            else:
                problems.add(
                    where, f"expected a table of tables, got {_kind(value)}; write [{path}.environments.prod]"
                )
            continue
        if key == "attributes":
            parsed = _attributes(value, where, problems, _inner_secrets(value))
        else:
            parsed = _PARSERS[key](value, where, problems)
        if parsed is not None:
            options[key] = parsed
    if "url" in table and "region" in table:
        problems.add(
            f"{path}.url",
            "`url` and `region` are both set; keep one (`region` for Jitterbit's hosts, `url` for any other)",
        )
    return options, environments


def _is_option(key: str, where: str, problems: _Problems, *, base: bool, allow_hatch: bool) -> bool:
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
        problems.add(where, f"unknown option.{_suggest(key, known)} Valid options: {', '.join(known)}")
        return False
    return True


def _inner_secrets(value: object) -> set[str]:
    """Attribute names already reported as credentials by the secret scan."""
    if not isinstance(value, Mapping):
        return set()
    return {name for name in value if secret_variable(str(name)) is not None}


def _root(path: str) -> str:
    """The base table of an environment option's path."""
    return path.split(".environments.", 1)[0]


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
            attributes = {
                name: item for name, item in merged["attributes"].items() if name.lower() not in _lower(value)
            }
            attributes.update(value)
            merged["attributes"] = attributes
        else:
            merged[key] = value
    return merged


def _lower(names: Mapping[str, Any]) -> set[str]:
    return {name.lower() for name in names}


# --------------------------------------------------------------------------- environment variables


def _env_value(env: Mapping[str, str], name: str) -> str | None:
    """A variable's value, stripped; unset and empty are the same (the rule lives in yes_no.value)."""
    return yes_no.value(env, name)


def _env_bool(env: Mapping[str, str], name: str, problems: _Problems) -> bool | None:
    """A yes/no variable by the one rule (yes_no.py, which warm.py follows too); None when unset."""
    try:
        return yes_no.read(env, name)
    except yes_no.NotYesNoError as exc:
        problems.add(name, exc.problem)
        return None


def _apply_env(options: dict[str, Any], env: Mapping[str, str], problems: _Problems) -> dict[str, Any]:
    """Environment variables over the file: they are how CI and a developer's shell pick a host or org."""
    result = dict(options)
    url = _env_value(env, URL_VAR)
    region = _env_value(env, REGION_VAR)
    if url is not None and region is not None:
        problems.add(f"{URL_VAR} and {REGION_VAR}", "are both set; unset one (they name the same host)")
    elif url is not None:
        problem = url_problem(url)
        if problem:
            problems.add(URL_VAR, problem)
        else:
            result.pop("region", None)
            result["url"] = url.rstrip("/")
    elif region is not None:
        if region.lower() in REGIONS:
            result.pop("url", None)
            result["region"] = region.lower()
        else:
            names = ", ".join(REGIONS)
            problems.add(
                REGION_VAR, f"{region!r} is not a Harmony region; use one of {names}, or set {URL_VAR}"
            )
    org_id = _env_value(env, ORG_ID_VAR)
    if org_id is not None:
        if is_org_id(org_id):
            result["org-id"] = org_id
        else:
            problems.add(ORG_ID_VAR, ORG_ID_RULE)
    verify = _env_bool(env, VERIFY_VAR, problems)
    if verify is not None:
        result["verify"] = verify
    return result


# --------------------------------------------------------------------------- paths


def _join(root: Path, relative: str) -> Path:
    """root / relative, normalised lexically ('..' folded), without following symlinks."""
    return Path(os.path.normpath(root / relative))


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


# --------------------------------------------------------------------------- load_config


def load_config(
    table: Mapping[str, Any],
    root: Path,
    env: Mapping[str, str],
    *,
    table_path: str = HOOK_TABLE,
    environment: str | None = None,
) -> HarmonyConfig:
    """Validate `table`, select the environment, apply the variables and defaults.

    `environment` (the CLI's --env) wins over HARMONY_ENV. Raises one ConfigError listing
    every problem, each with its TOML path or variable name.
    """
    root = Path(os.path.normpath(root.absolute()))
    problems = _Problems()
    allow_hatch = table_path != SETUPTOOLS_TABLE
    base, raw_envs = _parse_options(table, table_path, problems, base=True, allow_hatch=allow_hatch)
    environments = _parse_environments(raw_envs, table_path, problems, allow_hatch=allow_hatch)
    _check_write_paths(root, table_path, base, environments, problems)

    selected = environment or _env_value(env, ENV_VAR)
    source = "--env" if environment else ENV_VAR
    options = _select(base, raw_envs, environments, selected, source=source, problems=problems)
    if selected is not None and not raw_envs:
        undo = f"unset {ENV_VAR}" if source == ENV_VAR else "drop --env"
        problems.add(
            source,
            f"environment {selected!r} is selected, but pyproject.toml defines no environments; add "
            f"[{table_path}.environments.{selected}], or {undo}",
        )
    options = _apply_env(options, env, problems)
    offline = _env_bool(env, OFFLINE_VAR, problems)
    _env_bool(env, NO_WARM_STAMP_VAR, problems)  # the warm path steps aside on a bad value: report it

    env_name = selected if selected in environments else None
    # One default output per environment: a dev build must not overwrite (and later read
    # its key from) the prod manifest. An explicit `manifest` is used as written.
    default_manifest = f"build/harmony/{env_name}/MANIFEST.MF" if env_name else DEFAULT_MANIFEST
    manifest = _join(root, options.get("manifest", default_manifest))
    lock = _join(root, options.get("lock", DEFAULT_LOCK))
    adapter = _join(root, options["adapter"]) if "adapter" in options else None
    template = _join(root, options["manifest-template"]) if "manifest-template" in options else None
    where = table_path if env_name is None else f"{table_path}.environments.{env_name}"
    if template is not None and template == manifest:
        problems.add(
            f"{where}.manifest",
            "is the same file as manifest-template: the build would overwrite your template with the "
            f'connector secret; write the output elsewhere, e.g. manifest = "{DEFAULT_MANIFEST}"',
        )
    if manifest == lock or (adapter is not None and adapter in (manifest, lock)):
        problems.add(f"{where}.manifest", "manifest, lock and adapter must be three different files")

    problems.raise_if_any()
    url = options.get("url")
    return HarmonyConfig(
        root=root,
        environment=env_name,
        adapter=adapter,
        manifest_template=template,
        manifest=manifest,
        ui_file=options.get("ui-file", DEFAULT_UI_FILE),
        url=url,
        region=None if url else options.get("region", DEFAULT_REGION),
        org_id=options.get("org-id"),
        lock=lock,
        verify=options.get("verify", False),
        # False by default: a new registration has a new endpoint id and id range, so every
        # activity id in users' projects would change. A version bump keeps the registration
        # (with a notice) unless the project opts in to one registration per version.
        register_per_version=options.get("register-per-version", False),
        attributes=dict(options.get("attributes", {})),
        offline=bool(offline),
        table_path=table_path,
    )


def _parse_environments(
    raw_envs: Mapping[str, Any], table_path: str, problems: _Problems, *, allow_hatch: bool
) -> dict[str, dict[str, Any]]:
    """Every environment table, validated whether selected or not: a typo in `prod` fails a dev build too."""
    environments: dict[str, dict[str, Any]] = {}
    for name, env_table in raw_envs.items():
        where = _dotted(f"{table_path}.environments", name)
        if not _ENV_NAME.fullmatch(name):
            problems.add(
                where,
                "environment names hold letters, digits, '.', '-' and '_' and start with a letter or digit "
                "(the name becomes a folder of the default manifest path)",
            )
        elif not isinstance(env_table, Mapping):
            problems.add(
                where, f'expected a table, got {_kind(env_table)}; write [{where}] and org-id = "..."'
            )
        else:
            options, _ = _parse_options(env_table, where, problems, base=False, allow_hatch=allow_hatch)
            environments[name] = options
    return environments


def _select(
    base: dict[str, Any],
    raw_envs: Mapping[str, Any],
    environments: Mapping[str, dict[str, Any]],
    selected: str | None,
    *,
    source: str,
    problems: _Problems,
) -> dict[str, Any]:
    """The base options, merged with the selected environment's.

    With environments defined and none selected, the base table alone applies: a plain
    `hatch build` keeps working, and environment tables hold only what differs.
    """
    if selected is None:
        return base
    if selected in environments:
        return _merge(base, environments[selected])
    if selected in raw_envs:
        return base  # its table is broken, and already reported
    if raw_envs:  # (no environments at all is reported by the caller, which knows the table)
        defined = ", ".join(sorted(raw_envs))
        problems.add(source, f"environment {selected!r} is not defined; the environments are: {defined}")
    return base


def _check_write_paths(
    root: Path,
    table_path: str,
    base: Mapping[str, Any],
    environments: Mapping[str, Mapping[str, Any]],
    problems: _Problems,
) -> None:
    """The manifest and lock must lie inside the project, in every table.

    Writes stay inside the project: a config (perhaps copied from another repo) must not
    make a build overwrite files elsewhere. Reads (adapter, template) may come from a parent
    folder, e.g. one template shared by a monorepo.
    """
    tables = [(table_path, base)] + [(f"{table_path}.environments.{n}", t) for n, t in environments.items()]
    for where, options in tables:
        for key in ("manifest", "lock"):
            if key not in options:
                continue
            path = _join(root, options[key])
            if not _inside(root, path) or path == root:
                problems.add(
                    _dotted(where, key),
                    f"must be a file inside the project folder {root} (the build writes it there)",
                )


# --------------------------------------------------------------------------- pyproject.toml


def find_harmony_table(pyproject: Mapping[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The harmony table of a parsed pyproject and its TOML path; None when there is none.

    Order: the global hatch hook table, a target-level one (`jar` first, then targets by
    name, as hatchling allows hooks per target), then `[tool.hatch-harmony]`.
    Raises ConfigError when a table is not a table, or both a hatch and a setuptools table exist.
    """
    tool = pyproject.get("tool", {})
    tool = tool if isinstance(tool, Mapping) else {}
    hatch_build = _get_table(tool, ("hatch", "build"))
    found: tuple[Any, str] | None = None
    hooks = _get_table(hatch_build, ("hooks",))
    if "harmony" in hooks:
        found = (hooks["harmony"], HOOK_TABLE)
    else:
        targets = _get_table(hatch_build, ("targets",))
        for name in sorted(targets, key=lambda n: (n != "jar", n)):
            target_hooks = _get_table(targets, (name, "hooks"))
            if "harmony" in target_hooks:
                found = (target_hooks["harmony"], f"tool.hatch.build.targets.{name}.hooks.harmony")
                break
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
        raise ConfigError(f"pyproject.toml: {path}: expected a table, got {_kind(table)}; write [{path}]")
    return dict(table), path


def _get_table(table: Mapping[str, Any], keys: tuple[str, ...]) -> Mapping[str, Any]:
    current: Any = table
    for key in keys:
        current = current.get(key, {}) if isinstance(current, Mapping) else {}
    return current if isinstance(current, Mapping) else {}


def read_project_table(root: Path) -> tuple[dict[str, Any], str]:
    """root/pyproject.toml's harmony table and its TOML path, for the CLI and setuptools."""
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
    try:
        data = load_toml(text)
    except LongIntegerError as exc:
        raise ConfigError(f"{path}: {exc.describe()}; fix that value") from None
    except TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}; fix that line") from None
    found = find_harmony_table(data)
    if found is None:
        raise ConfigError(
            f"{path} has no hatch-harmony table: add [{HOOK_TABLE}] (hatch builds) or [{SETUPTOOLS_TABLE}] "
            '(setuptools builds), e.g. with org-id = "12345"'
        )
    return found
