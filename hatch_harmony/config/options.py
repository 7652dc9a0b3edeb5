"""Each option of the hook table: what its value must be, its default, and the fix when it is wrong.

Why one parser per option, in one table (`PARSERS`): the hook table, every environment
table and `[tool.hatch-harmony]` take the same options, so each rule is written once and
each message names the option and shows a line to write. The host (`url`, `region`) and
the org id have owners of their own, `host.py` and `vocabulary.py`: the parsers ask them,
and the environment overlay (`overlay.py`) asks the same helpers here for HARMONY_URL,
HARMONY_REGION and HARMONY_ORG_ID, so a value means the same wherever it is set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hatch_harmony import jar_manifest
from hatch_harmony.api.host import REGIONS, Host, HostError
from hatch_harmony.config.destinations import deploy_option, restart_command_option
from hatch_harmony.config.problems import Problems, toml_kind, toml_path
from hatch_harmony.config.values import bool_option, path_option, string_option
from hatch_harmony.vocabulary import (
    CLASS_PATH,
    CONNECTOR,
    CONNECTOR_UI,
    MANIFEST_VERSION,
    ORG_ID_RULE,
    REGISTRATION_PREFIXES,
    is_org_id,
)

#: NA is the first region Jitterbit documents and the host of its Postman collection's
#: default environment, so a project that names no host talks to na-east.
DEFAULT_REGION = "na"

#: Under build/, which connector projects (Maven, Gradle, Python) already ignore in git, and
#: outside every package, so the secret-bearing file is neither committed nor packaged.
DEFAULT_MANIFEST = "build/harmony/MANIFEST.MF"
DEFAULT_LOCK = "harmony.lock"
DEFAULT_UI_FILE = "adapter.json"

#: Manifest attributes the build writes itself; `attributes` may not override them, or a
#: typo in pyproject would ship a connector with a wrong key or id.
_RESERVED_ATTRIBUTES: dict[str, str] = {
    MANIFEST_VERSION.lower(): "it is always 1.0, written first",
    "name": "it starts a per-entry section, never the main one",
    CONNECTOR.lower(): f"the build always writes `{CONNECTOR}: true`",
    CONNECTOR_UI.lower(): "set the `ui-file` option instead",
    CLASS_PATH.lower(): "the `jar` target lists exactly the lib/*.jar it bundles; a Maven build keeps the "
    "one in `manifest-template`",
}


def file_path(value: object, where: str, option: str, example: str, problems: Problems) -> str | None:
    """A file's path as written (relative to the project, with "/"); a trailing slash is refused."""
    text = path_option(value, where, f'{option} = "{example}"', problems)
    if text is None:
        return None
    if text.endswith("/"):
        problems.add(where, f'names a folder; name the file, e.g. {option} = "{example}"')
        return None
    return text


def region_name(text: str) -> str | None:
    """The region `text` names (any case, spaces ignored), or None: host.py decides what a region is."""
    try:
        Host.for_region(text)
    except HostError:
        return None
    return text.strip().lower()


def _region(value: object, where: str, problems: Problems) -> str | None:
    if not isinstance(value, str):
        problems.add(where, f'expected a string, got {toml_kind(value)}; write region = "{DEFAULT_REGION}"')
        return None
    region = region_name(value)
    if region is None:
        names = ", ".join(f'"{name}"' for name in REGIONS)
        problems.add(
            where,
            f"{value!r} is not a Harmony region; use one of {names}, or `url` for any other host",
        )
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


def host_url(text: str, where: str, problems: Problems) -> str | None:
    """A URL as the config keeps it (no trailing slash), or None after reporting why it is no host."""
    problem = url_problem(text)
    if problem:
        problems.add(where, problem)
        return None
    return text.rstrip("/")


def _url(value: object, where: str, problems: Problems) -> str | None:
    text = string_option(value, where, 'url = "https://na-east.jitterbit.com"', problems)
    return None if text is None else host_url(text, where, problems)


def org_id(text: str, where: str, problems: Problems) -> str | None:
    """`text` when it is an org id by vocabulary.py's rule, else None after reporting the rule."""
    if not is_org_id(text):
        problems.add(where, ORG_ID_RULE)
        return None
    return text


def _org_id(value: object, where: str, problems: Problems) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        problems.add(where, f'expected a string, got an integer; write org-id = "{value}"')
        return None
    text = string_option(value, where, 'org-id = "12345"', problems)
    return None if text is None else org_id(text, where, problems)


def attribute_problem(name: str, value: object) -> str | None:
    """Why `name = value` cannot be an extra manifest attribute, or None."""
    if jar_manifest.name_problem(name) is not None:  # the JAR spec's rule: jar_manifest.py
        return (
            "is not a valid manifest attribute name: use letters, digits, '-' and '_', starting with a "
            "letter or digit, at most 70 characters"
        )
    lowered = name.lower()
    if lowered in _RESERVED_ATTRIBUTES:
        return f"cannot be set in `attributes`: {_RESERVED_ATTRIBUTES[lowered]}"
    if lowered.startswith(REGISTRATION_PREFIXES):
        return (
            "is a registration attribute: the build writes it from the Harmony registration; delete it from "
            "`attributes`"
        )
    if not isinstance(value, str):
        return f'expected a string, got {toml_kind(value)}; write {name} = "..." (quoted)'
    if jar_manifest.value_problem(value) is not None:
        return "must be one line of text: a manifest value cannot hold NUL, CR, LF or invalid UTF-8"
    return None


def attributes(value: object, where: str, problems: Problems, skip: set[str]) -> dict[str, str] | None:
    """The extra manifest attributes; `skip` holds names already reported (as credentials)."""
    if not isinstance(value, Mapping):
        problems.add(
            where, f'expected a table, got {toml_kind(value)}; write attributes = {{ Author = "ACME" }}'
        )
        return None
    result: dict[str, str] = {}
    seen: dict[str, str] = {}
    ok = True
    for name, item in value.items():
        if name in skip:
            ok = False
            continue
        here = toml_path(where, name)
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


def _ui_file(value: object, where: str, problems: Problems) -> str | None:
    text = string_option(value, where, f'ui-file = "{DEFAULT_UI_FILE}"', problems)
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


_Parser = Callable[[object, str, Problems], Any]

#: The parser of every option but `attributes` (which also takes the names to skip) and
#: `environments` (tables of these options, the hook table's business).
PARSERS: dict[str, _Parser] = {
    "adapter": lambda v, w, p: file_path(v, w, "adapter", "ui/adapter.json", p),
    "manifest-template": lambda v, w, p: file_path(v, w, "manifest-template", "MANIFEST.MF", p),
    "manifest": lambda v, w, p: file_path(v, w, "manifest", "src/main/resources/META-INF/MANIFEST.MF", p),
    "lock": lambda v, w, p: file_path(v, w, "lock", DEFAULT_LOCK, p),
    "ui-file": _ui_file,
    "region": _region,
    "url": _url,
    "org-id": _org_id,
    "verify": lambda v, w, p: bool_option(v, w, "verify = true", p),
    "register-per-version": lambda v, w, p: bool_option(v, w, "register-per-version = true", p),
    "deploy": deploy_option,
    "restart": lambda v, w, p: bool_option(v, w, "restart = true", p),
    "restart-command": restart_command_option,
}
