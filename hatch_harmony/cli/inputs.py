"""What a command starts from: the environment with flags applied, the config, the adapter, the client.

Flags are checked as flags (an error names `--url`, not the variable it is passed on as),
then handed to the same config and engine a build uses.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony.errors import ConfigError, shown_path
from hatch_harmony.vocabulary import ORG_ID_VAR, REGION_VAR, URL_VAR

if TYPE_CHECKING:
    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.engine.decision import EngineInputs
    from hatch_harmony.engine.shipped_ids import ShippedIds
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry


def environ_for(args: argparse.Namespace) -> dict[str, str]:
    """The environment with command-line overrides applied (flags beat variables).

    A flag's value is checked here, with config's own rule, so that an error names the
    option the user typed (`--url`), not the variable it is passed on as.
    """
    from hatch_harmony.config import url_problem

    if args.url and (problem := url_problem(args.url)):
        raise ConfigError(f"--url: {problem}")
    env = dict(os.environ)
    if args.region:
        env.pop(URL_VAR, None)
        env[REGION_VAR] = args.region
    if args.url:
        env.pop(REGION_VAR, None)
        env[URL_VAR] = args.url
    if args.org_id:
        env[ORG_ID_VAR] = args.org_id
    return env


def config_for(args: argparse.Namespace, env: Mapping[str, str]) -> HarmonyConfig:
    from hatch_harmony.config import load_config, read_project_table

    root = args.project.resolve()
    table, table_path = read_project_table(root)
    return load_config(table, root, env, table_path=table_path, environment=args.env)


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
    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.engine.connection import open_client

    client = open_client(config, env, "This command talks to Harmony")
    assert isinstance(client, HarmonyClient)  # the default factory's client
    return client


def lock_entry_for(config: HarmonyConfig, adapter: Adapter, env: Mapping[str, str]) -> LockEntry | None:
    from hatch_harmony.engine.decision import inputs_for, plan

    return plan(config, adapter, env, inputs_for(adapter, project_version(config.root))).entry


def engine_inputs(args: argparse.Namespace) -> tuple[dict[str, str], HarmonyConfig, Adapter, EngineInputs]:
    """Environment, config, adapter and the engine's inputs."""
    from hatch_harmony.engine.decision import inputs_for
    from hatch_harmony.engine.pipeline import previous_values

    env = environ_for(args)
    config = config_for(args, env)
    adapter = adapter_for(config)
    keys, endpoint = previous_values(config.manifest, shown_path(config.manifest, config.root))
    return env, config, adapter, inputs_for(adapter, project_version(config.root), keys, endpoint)


def shipped_for(config: HarmonyConfig) -> tuple[ShippedIds, ...]:
    """The ids the template and the last generated manifest ship: `register` keeps them as builds do."""
    from hatch_harmony.engine.pipeline import load_template, shipped_ids

    return shipped_ids(config, load_template(config))


def bare_config(args: argparse.Namespace, env: Mapping[str, str]) -> HarmonyConfig:
    """Host settings only, for `login` outside a connector project (no environments to select there)."""
    from hatch_harmony.config import load_config
    from hatch_harmony.vocabulary import ENV_VAR

    hosts_only = {name: value for name, value in env.items() if name != ENV_VAR}
    return load_config({}, args.project.resolve(), hosts_only)
