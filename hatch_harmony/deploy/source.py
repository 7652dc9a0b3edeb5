"""Which jar goes to the agents: the one the `jar` target built for this environment, or a refusal.

Why so strict, and before anything is copied: an agent trusts the key and ids in the jar's
manifest. A jar built for `dev` copied onto `prod` agents would run prod's integrations
against the dev registration; a jar still holding placeholders would be refused by
Harmony at run time. Each refusal says which jar and what to do; none needs a request.

The jars are found by reading the manifests in the build directory (hatchling's answer
to where `hatch build -t jar` writes), not by guessing file names: a connector jar whose
adapter.json names this connector. Among them, the newest one built for this
environment's registration (its endpoint id is the lock entry's) is the one deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony.deploy.jars import ConnectorJar, read_jar_file
from hatch_harmony.errors import ConfigError, HarmonyError, shown_path

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.engine.decision import KeyPair
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry


class DeployError(HarmonyError):
    """A jar that must not reach an agent, or a destination that cannot take it (exit 1)."""


@dataclass(frozen=True)
class Source:
    """The jar to deploy: where it is, its bytes and what it is."""

    path: Path
    data: bytes
    jar: ConnectorJar


def build_directory(root: Path) -> Path:
    """Where `hatch build -t jar` writes: the jar target's own answer (its `directory`, else dist/)."""
    from hatch_harmony.jar.builder import JarBuilder

    try:
        return Path(JarBuilder(str(root)).config.directory)
    except ValueError:  # pyproject.toml is no TOML: the config step already said so
        return root / "dist"


def build_command(config: HarmonyConfig) -> str:
    env = f"HARMONY_ENV={config.environment} " if config.environment else ""
    return f"{env}hatch build -t jar"


def environment_jar(
    config: HarmonyConfig, adapter: Adapter, entry: LockEntry | None, keys: KeyPair | None
) -> Source:
    """The jar to deploy for `config.environment`, after every check; DeployError names the one failing.

    `entry` is the environment's lock entry, `keys` the key of its generated manifest (when
    there is one): the jar must carry that endpoint id and that key.
    """
    where = f"environment {config.environment!r}" if config.environment else "this project"
    command = build_command(config)
    if entry is None:
        raise ConfigError(
            f"{shown_path(config.lock, config.root)} has no registration of {adapter.name!r} for {where}: "
            f"build the jar first (`{command}` registers it), then deploy."
        )
    directory = build_directory(config.root)
    shown_dir = shown_path(directory, config.root).rstrip("/") + "/"
    found = _connector_jars(directory, adapter.name)
    if not found:
        raise DeployError(f"no jar of {adapter.name!r} in {shown_dir}: build it first with `{command}`.")
    ours = [(path, jar) for path, jar in found if jar.endpoint_id in (None, entry.endpoint_entity_id)]
    if not ours:
        path, jar = found[0]
        raise DeployError(
            f"{shown_path(path, config.root)} is not built for {where}: its endpoint id {jar.endpoint_id} is "
            f"not the lock entry's ({entry.endpoint_entity_id}, org {entry.org_id}). Build it for {where} "
            f"with `{command}`."
        )
    path, jar = ours[0]
    data = path.read_bytes()
    check_jar(config, entry, keys, Source(path, data, jar))
    return Source(path, data, jar)


def check_jar(config: HarmonyConfig, entry: LockEntry, keys: KeyPair | None, source: Source) -> None:
    """The jar carries this environment's registration and no placeholder, or DeployError says why."""
    where = f"environment {config.environment!r}" if config.environment else "this project"
    command = build_command(config)
    shown, jar = shown_path(source.path, config.root), source.jar
    if jar.placeholders:
        raise DeployError(
            f"{shown} still holds placeholders ({', '.join(jar.placeholders)}): an agent could not run it. "
            f"Build it with the harmony hook, `{command}`."
        )
    if jar.endpoint_id != entry.endpoint_entity_id:
        raise DeployError(
            f"{shown} is not built for {where}: its endpoint id {jar.endpoint_id} is not the lock entry's "
            f"({entry.endpoint_entity_id}, org {entry.org_id}). Build it for {where} with `{command}`."
        )
    if keys is not None and jar.key != keys.key:
        raise DeployError(
            f"{shown}: its connector key is not the one of {where}'s manifest "
            f"({shown_path(config.manifest, config.root)}): it was built for another registration. "
            f"Build it again with `{command}`."
        )


def _connector_jars(directory: Path, adapter_name: str) -> list[tuple[Path, ConnectorJar]]:
    """This connector's jars in `directory`, newest first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.glob("*.jar"):
        jar = read_jar_file(path) if path.is_file() else None
        if jar is not None and jar.adapter_name == adapter_name:
            found.append((path.stat().st_mtime_ns, path.name, path, jar))
    found.sort(reverse=True, key=lambda item: (item[0], item[1]))
    return [(path, jar) for _, _, path, jar in found]
