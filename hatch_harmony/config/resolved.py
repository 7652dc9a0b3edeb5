"""The resolved settings of one build, `HarmonyConfig`, and `load_config`, the one way to get them.

Why one entry: the hatch hook, the setuptools integration, the CLI and `init` must agree on
every option, default and message, so they all call `load_config`: the table (table.py,
options.py), the selected environment, the variables (overlay.py), the defaults, and the
checks that need all of them at once (which files the build writes). Every problem of all
of these is collected, and one ConfigError lists them (problems.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_harmony.config.destinations import DEFAULT_RESTART_COMMAND, Destination
from hatch_harmony.config.options import DEFAULT_LOCK, DEFAULT_MANIFEST, DEFAULT_REGION, DEFAULT_UI_FILE
from hatch_harmony.config.overlay import apply_env, selected_environment
from hatch_harmony.config.problems import Problems, toml_path
from hatch_harmony.config.table import HOOK_TABLE, SETUPTOOLS_TABLE, parse_environments, parse_options, select
from hatch_harmony.config.values import project_path


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
    #: `hatch-harmony deploy`'s settings (config/destinations.py); no build reads them.
    deploy: tuple[Destination, ...] = ()
    restart: bool = False
    restart_command: str = DEFAULT_RESTART_COMMAND

    @property
    def host_setting(self) -> str:
        """What the client takes as its host: the URL when one is set, else the region name."""
        return self.url if self.url else (self.region or DEFAULT_REGION)


@dataclass(frozen=True)
class _Files:
    """The files a build reads and writes, joined to the project root."""

    manifest: Path
    lock: Path
    adapter: Path | None
    template: Path | None


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
    problems = Problems()
    allow_hatch = table_path != SETUPTOOLS_TABLE
    base, raw_envs = parse_options(table, table_path, problems, base=True, allow_hatch=allow_hatch)
    environments = parse_environments(raw_envs, table_path, problems, allow_hatch=allow_hatch)
    _check_write_paths(root, table_path, base, environments, problems)

    selected, source, undo = selected_environment(environment, env)
    options = select(
        base,
        raw_envs,
        environments,
        selected,
        source=source,
        undo=undo,
        table_path=table_path,
        problems=problems,
    )
    options, offline = apply_env(options, env, problems)

    env_name = selected if selected in environments else None
    files = _files(root, options, env_name)
    where = table_path if env_name is None else f"{table_path}.environments.{env_name}"
    _check_files(files, where, problems)
    problems.raise_if_any()
    url = options.get("url")
    return HarmonyConfig(
        root=root,
        environment=env_name,
        adapter=files.adapter,
        manifest_template=files.template,
        manifest=files.manifest,
        ui_file=options.get("ui-file", DEFAULT_UI_FILE),
        url=url,
        region=None if url else options.get("region", DEFAULT_REGION),
        org_id=options.get("org-id"),
        lock=files.lock,
        verify=options.get("verify", False),
        # False by default: a new registration has a new endpoint id and id range, so every
        # activity id in users' projects would change. A version bump keeps the registration
        # (with a notice) unless the project opts in to one registration per version.
        register_per_version=options.get("register-per-version", False),
        attributes=dict(options.get("attributes", {})),
        offline=offline,
        table_path=table_path,
        deploy=options.get("deploy", ()),
        restart=options.get("restart", False),
        restart_command=options.get("restart-command", DEFAULT_RESTART_COMMAND),
    )


def _files(root: Path, options: Mapping[str, Any], env_name: str | None) -> _Files:
    """The options' files, or their defaults, joined to the root.

    One default output per environment: a dev build must not overwrite (and later read its
    key from) the prod manifest. An explicit `manifest` is used as written.
    """
    default_manifest = f"build/harmony/{env_name}/MANIFEST.MF" if env_name else DEFAULT_MANIFEST
    return _Files(
        manifest=project_path(root, options.get("manifest", default_manifest)),
        lock=project_path(root, options.get("lock", DEFAULT_LOCK)),
        adapter=project_path(root, options["adapter"]) if "adapter" in options else None,
        template=project_path(root, options["manifest-template"]) if "manifest-template" in options else None,
    )


def _check_files(files: _Files, where: str, problems: Problems) -> None:
    """The build must never write over one of its inputs, least of all the template with the secret."""
    if files.template is not None and files.template == files.manifest:
        problems.add(
            f"{where}.manifest",
            "is the same file as manifest-template: the build would overwrite your template with the "
            f'connector secret; write the output elsewhere, e.g. manifest = "{DEFAULT_MANIFEST}"',
        )
    if files.manifest == files.lock or (
        files.adapter is not None and files.adapter in (files.manifest, files.lock)
    ):
        problems.add(f"{where}.manifest", "manifest, lock and adapter must be three different files")


def _check_write_paths(
    root: Path,
    table_path: str,
    base: Mapping[str, Any],
    environments: Mapping[str, Mapping[str, Any]],
    problems: Problems,
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
            path = project_path(root, options[key])
            if root not in path.parents:  # the root itself is a folder, not a file inside it
                problems.add(
                    toml_path(where, key),
                    f"must be a file inside the project folder {root} (the build writes it there)",
                )
