"""The manifest step shared by the hatch hook, the CLI and the setuptools integration.

Order matters for "nothing half-written": everything that can be checked offline (the
adapter, the template, the output path) is checked before the engine may touch the
network, and the manifest is written last, atomically and 0600 because it holds the
connector secret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatch_harmony import vocabulary as words
from hatch_harmony.engine.connection import ClientFactory
from hatch_harmony.engine.decision import KeyPair, inputs_for, registered_version
from hatch_harmony.engine.execute import Outcome, ensure_registration
from hatch_harmony.engine.shipped_ids import ShippedIds, read_shipped
from hatch_harmony.errors import ConfigError, NeedsNetworkError, shown_path
from hatch_harmony.guard.destination import build_inputs, check_destination, check_lock_path
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project import connector_manifest as cm
from hatch_harmony.project.adapter import Adapter, find_adapter, load_adapter
from hatch_harmony.util.files import atomic_write

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig

SECRET_FILE_MODE = 0o600


@dataclass(frozen=True)
class Generated:
    """A rendered manifest and how it came to be (for status lines and the jar target)."""

    manifest: bytes = field(repr=False)
    path: Path
    adapter: Adapter
    outcome: Outcome
    written: bool


def load_template(config: HarmonyConfig) -> Manifest:
    """The configured template (placeholders and all), or an empty manifest."""
    path = config.manifest_template
    if path is None:
        return Manifest.parse(b"", source="(no template)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{config.table_path}.manifest-template: {shown_path(path, config.root)} does not exist. "
            "Point it at your MANIFEST.MF template, or remove the option to start from an empty manifest."
        ) from None
    except OSError as exc:
        raise ConfigError(f"{shown_path(path, config.root)}: cannot be read ({exc.strerror}).") from None
    return Manifest.parse(data, source=shown_path(path, config.root))


def _read_previous(path: Path, shown: str) -> Manifest | None:
    """The manifest generated last time, if it is readable.

    The previous output is our own file; if someone broke it by hand it is simply not
    trusted (and is rewritten), rather than failing the build.
    """
    try:
        return Manifest.parse(path.read_bytes(), source=shown)
    except (OSError, ConfigError):
        return None


def previous_values(path: Path, shown: str | None = None) -> tuple[KeyPair | None, str | None]:
    """Key, secret and endpoint id of the manifest generated last time, if it is readable."""
    previous = _read_previous(path, shown or str(path))
    if previous is None:
        return None, None
    key, secret = cm.registration_values(previous)
    endpoint = previous.get(words.ENDPOINT_ID)
    if key and secret:
        return KeyPair(key, secret, shown or str(path)), endpoint
    return None, endpoint


def shipped_ids(
    config: HarmonyConfig, template: Manifest, previous_path: Path | None = None
) -> tuple[ShippedIds, ...]:
    """The ids the template and the last generated manifest already ship (kept by the engine).

    `previous_path` is where the last manifest was generated (default: the configured one).
    """
    found = []
    if config.manifest_template is not None:
        shown = shown_path(config.manifest_template, config.root)
        found.append(read_shipped(template, shown, template=True))
    path = previous_path or config.manifest
    previous = _read_previous(path, shown_path(path, config.root))
    if previous is not None:
        found.append(read_shipped(previous, previous.source, template=False))
    return tuple(found)


def render(config: HarmonyConfig, template: Manifest, outcome: Outcome, version: str | None = None) -> bytes:
    """The manifest's bytes; `version` is its `Version` (None: the template's, or `attributes`')."""
    reg = outcome.registration
    result = cm.apply_registration(
        template,
        key=reg.key,
        secret=reg.secret,
        endpoint_entity_id=reg.endpoint_entity_id,
        activity_ids=outcome.activity_ids,
        ui_file=config.ui_file,
        version=version,
        extra=config.attributes,
    )
    return result.to_bytes()


def connector_version(adapter: Adapter, project_version: str | None) -> str:
    """adapter.json's version where present (registered version = adapter version), else the project's."""
    return registered_version(adapter, project_version)[0]


def manifest_version(
    config: HarmonyConfig, template: Manifest, project_version: str | None
) -> tuple[str | None, str | None]:
    """The manifest's `Version` to write (None: leave it to the template) and a notice, if any.

    One version to bump: agents reload a connector when its manifest `Version` changes, and
    the jar is named after it, so by default it is the project version (`[project] version`,
    or a dynamic one as hatchling computes it). The hook's `attributes` may set another; a
    template's literal `Version` never wins silently over the project's. Without a project
    version (a `hatch-harmony` run on a project whose version hatchling cannot compute) the
    template's stays.
    """
    if cm.explicit_version(config.attributes) is not None or not project_version:
        return None, None
    literal = (template.get(words.VERSION) or "").strip()
    if not literal or literal == project_version or config.manifest_template is None:
        return project_version, None
    shown = shown_path(config.manifest_template, config.root)
    return project_version, (
        f"{shown} says {words.VERSION}: {literal}, the project version is {project_version}: the manifest "
        f"says {words.VERSION}: {project_version} (agents reload a connector when it changes, and the jar is "
        f"named after it). Delete the {words.VERSION} line from the template, or set it in the hook's "
        "`attributes` to pin another."
    )


def generate(
    config: HarmonyConfig,
    env: Mapping[str, str],
    *,
    project_version: str | None = None,
    client_factory: ClientFactory | None = None,
    write: bool = True,
    allow_register: bool = True,
    read_only: bool = False,
    previous_path: Path | None = None,
) -> Generated:
    """Register when needed and render the manifest; write it unless `write` is false.

    `previous_path` is where the manifest was generated last time, when that is not where
    this run writes (`hatch-harmony manifest --output PATH`): its key spares the lookup.

    `allow_register=False` is for places where a new registration would be lost (a build
    from an unpacked sdist, whose lock file is a temporary copy); `read_only` writes no
    file at all and never registers (`manifest --check`).
    """
    adapter = load_adapter(find_adapter(config.root, config.adapter))
    template = load_template(config)
    version, version_notice = manifest_version(config, template, project_version)
    if write:
        check_destination(config, config.manifest, adapter.path)
    if not read_only:
        check_lock_path(config)
    last = previous_path or config.manifest
    keys, endpoint = previous_values(last, shown_path(last, config.root))
    outcome = ensure_registration(
        config,
        adapter,
        env,
        inputs_for(adapter, project_version, keys, endpoint),
        shipped=shipped_ids(config, template, last),
        client_factory=client_factory,
        allow_register=allow_register,
        read_only=read_only,
    )
    if version_notice is not None:
        outcome = replace(outcome, notices=(*outcome.notices, version_notice))
    if adapter.warnings:  # adapter.json's near misses: Harmony would ignore those keys silently
        outcome = replace(outcome, notices=(*adapter.warnings, *outcome.notices))
    if config.manifest_template is not None and any(cm.registration_values(template)):
        outcome = replace(outcome, notices=(*outcome.notices, _committed_secret_notice(config)))
    data = render(config, template, outcome, version)
    written = False
    if write and not read_only:
        written = _write_if_changed(config.manifest, data)
    return Generated(data, config.manifest, adapter, outcome, written)


def _committed_secret_notice(config: HarmonyConfig) -> str:
    """A template with a real key or secret: it is committed, and an sdist or wheel holding it is refused."""
    shown = shown_path(config.manifest_template or config.manifest, config.root)
    return (
        f"{shown} holds the connector key or secret. It is committed, and an sdist or wheel that holds it "
        "is refused: put "
        "placeholders (****) in their place and keep the ids, since each build gets key and secret on its "
        f"own (Harmony, the lock, {words.KEY_VAR} and {words.SECRET_VAR}). A secret already in git "
        "history stays readable there: review who can read the repository (re-registering for a new "
        "secret would change every activity id)."
    )


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` 0600 unless the file already holds exactly it (a warm build touches nothing)."""
    try:
        same = path.read_bytes() == data and (path.stat().st_mode & 0o777) == SECRET_FILE_MODE
    except OSError:
        same = False
    if same:
        return False
    atomic_write(path, data, mode=SECRET_FILE_MODE)
    return True


@dataclass(frozen=True)
class StatusLine:
    """One line for a build's log; `warning` lines go through the frontend's warning channel."""

    text: str
    warning: bool = False


def status_lines(result: Generated, root: Path) -> list[StatusLine]:
    """What a build says about the manifest step: decision, reason, request count (never a secret).

    Shared by the hatch hook and the setuptools integration, so both builds read the same.
    """
    outcome = result.outcome
    reg = outcome.registration
    requests = f"{outcome.requests} request{'s' if outcome.requests != 1 else ''}"
    ids = ", ".join(f"{name}={value}" for name, value in outcome.activity_ids.items()) or "none"
    lines = [
        StatusLine(
            f"harmony: {outcome.action} {reg.name!r} {reg.version} (connector id {reg.id or '?'}, endpoint "
            f"{reg.endpoint_entity_id}, activities {ids}): {outcome.reason}; {requests}"
        )
    ]
    lines += [StatusLine(f"harmony: {notice}", warning=True) for notice in outcome.notices]
    state = "written" if result.written else "up to date"
    lines.append(StatusLine(f"harmony: manifest {state}: {shown_path(result.path, root)}"))
    return lines


# --- the one entry for every frontend ----------------------------------------------------------

#: What an editable install says when the manifest would need Harmony (hatch and setuptools alike).
EDITABLE_NEEDS_NETWORK = (
    "harmony: an editable install never talks to Harmony, and the manifest needs it: not refreshed. "
    "A full build or `hatch-harmony manifest` registers and writes it."
)


@dataclass(frozen=True)
class BuildRun:
    """One frontend's manifest step: the config it resolved, the result, what to print, what it read.

    `result` is None only for an editable install that would have needed Harmony (editable
    installs never touch the network). `files_read` is every file whose content or absence
    decided the manifest: the warm-build stamp watches exactly these, so a new input of the
    engine is watched the day it is read here, not when someone remembers to list it.
    """

    config: HarmonyConfig
    result: Generated | None
    lines: tuple[StatusLine, ...]
    files_read: tuple[Path, ...]


def run_build(
    root: Path,
    table: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    project_version: str | None,
    table_path: str,
    editable: bool = False,
    from_sdist: bool = False,
    check: Callable[[HarmonyConfig], None] | None = None,
) -> BuildRun:
    """The manifest step of a build, the same for the hatch hook and the setuptools integration.

    The policy every frontend shares lives here: an editable install never touches the
    network (and only warns when the manifest would need it), a build from an unpacked
    sdist never registers. `check` is the frontend's own check of the resolved config (is
    the manifest selected into an archive?), run before the first request.
    """
    from hatch_harmony.config import load_config

    config = load_config(table, root, env, table_path=table_path)
    if editable:
        config = replace(config, offline=True)
    if check is not None:
        check(config)
    try:
        result = generate(config, env, project_version=project_version, allow_register=not from_sdist)
    except NeedsNetworkError:
        if not editable:
            raise
        return BuildRun(config, None, (StatusLine(EDITABLE_NEEDS_NETWORK, warning=True),), ())
    return BuildRun(config, result, tuple(status_lines(result, root)), files_read(config, result))


def files_read(config: HarmonyConfig, result: Generated) -> tuple[Path, ...]:
    """What `generate` read: pyproject.toml, the adapter (and the paths tried before it), the template,
    the lock, the previous manifest, and what git's answer about the output depended on."""
    from hatch_harmony.project.adapter import DEFAULT_LOCATIONS
    from hatch_harmony.util.git import git_index

    root = config.root
    tried = [root / c for c in DEFAULT_LOCATIONS] if config.adapter is None else [config.adapter]
    files = [*build_inputs(config, result.adapter.path), git_index(root), *tried, result.path]
    return tuple(dict.fromkeys(f for f in files if f is not None))
