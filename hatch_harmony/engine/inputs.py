"""What a command outside a build starts from, once it has a config: the adapter, the project version,
the lock entry, the ids already shipped, and the full client.

The CLI's commands and doctor's checks both ask here, so that they find these exactly as a build
does (the CLI adds only its flags, in `cli/inputs.py`). Each helper imports what it uses when
called: `hatch-harmony status` must not pay for the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.engine.shipped_ids import ShippedIds
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry


def project_version(root: Path) -> str | None:
    """The project version as hatchling computes it for a build (normalised, or dynamic: hatch-vcs).

    The same value the hook gets, so `manifest` and `status` agree with `hatch build` on the
    manifest `Version` and on the version registered when adapter.json has none. A project
    hatchling cannot compute a version for (setuptools' dynamic versions) falls back to the
    static `[project] version`, else None.
    """
    from hatch_harmony.util.long_integers import load_toml

    try:
        data = load_toml((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable or invalid: the config step reports it
        return None
    project = data.get("project")
    if not isinstance(project, dict):
        return None
    try:
        from hatchling.metadata.core import ProjectMetadata
        from hatchling.plugin.manager import PluginManager

        return str(ProjectMetadata(str(root), PluginManager()).version)
    except (ValueError, TypeError, LookupError, OSError, ImportError):  # hatchling's ways of saying "cannot"
        version = project.get("version")
        return version if isinstance(version, str) else None


def adapter_for(config: HarmonyConfig) -> Adapter:
    from hatch_harmony.project.adapter import find_adapter, load_adapter

    return load_adapter(find_adapter(config.root, config.adapter))


def client_for(config: HarmonyConfig, env: Mapping[str, str]) -> HarmonyClient:
    """The full client (list, delete, login), through the engine's checks for offline and credentials."""
    from hatch_harmony.engine.connection import open_client

    client = open_client(config, env, "This command talks to Harmony")
    # Only now: offline or without credentials, a command stops above without importing httpx.
    from hatch_harmony.api.client import HarmonyClient

    assert isinstance(client, HarmonyClient)  # the default factory's client
    return client


def lock_entry_for(config: HarmonyConfig, adapter: Adapter, env: Mapping[str, str]) -> LockEntry | None:
    from hatch_harmony.engine.decision import inputs_for, plan

    return plan(config, adapter, env, inputs_for(adapter, project_version(config.root))).entry


def shipped_for(config: HarmonyConfig) -> tuple[ShippedIds, ...]:
    """The ids the template and the last generated manifest ship: `register` keeps them as builds do."""
    from hatch_harmony.engine.pipeline import load_template, shipped_ids

    return shipped_ids(config, load_template(config))
