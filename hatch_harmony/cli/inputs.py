"""What a command starts from: the environment with flags applied, and the config.

Flags are checked as flags (an error names `--url`, not the variable it is passed on as),
then handed to the same config and engine a build uses; what follows from the config (the
adapter, the lock entry, the client) is the engine's (`engine/inputs.py`), which doctor asks too.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hatch_harmony.engine.inputs import adapter_for, project_version
from hatch_harmony.errors import ConfigError, shown_path
from hatch_harmony.vocabulary import ORG_ID_VAR, REGION_VAR, URL_VAR

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.engine.decision import EngineInputs
    from hatch_harmony.project.adapter import Adapter


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


def engine_inputs(args: argparse.Namespace) -> tuple[dict[str, str], HarmonyConfig, Adapter, EngineInputs]:
    """Environment, config, adapter and the engine's inputs."""
    from hatch_harmony.engine.decision import inputs_for
    from hatch_harmony.engine.pipeline import previous_values

    env = environ_for(args)
    config = config_for(args, env)
    adapter = adapter_for(config)
    keys, endpoint = previous_values(config.manifest, shown_path(config.manifest, config.root))
    return env, config, adapter, inputs_for(adapter, project_version(config.root), keys, endpoint)


def bare_config(args: argparse.Namespace, env: Mapping[str, str]) -> HarmonyConfig:
    """Host settings only, for `login` outside a connector project (no environments to select there)."""
    from hatch_harmony.config import load_config
    from hatch_harmony.vocabulary import ENV_VAR

    hosts_only = {name: value for name, value in env.items() if name != ENV_VAR}
    return load_config({}, args.project.resolve(), hosts_only)
