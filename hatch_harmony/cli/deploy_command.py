"""`hatch-harmony deploy`: the command's inputs and its report; the work is the deploy package's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hatch_harmony.cli.inputs import config_for, environ_for
from hatch_harmony.cli.output import EXIT_FAILURE, EXIT_OK, Json, Output
from hatch_harmony.engine.inputs import adapter_for, lock_entry_for
from hatch_harmony.errors import ConfigError, shown_path

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.config.destinations import Destination
    from hatch_harmony.deploy import Options, Plan, Source
    from hatch_harmony.engine.decision import KeyPair
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry


def cmd_deploy(args: argparse.Namespace, out: Output) -> int:
    from hatch_harmony.config.destinations import parse_destination
    from hatch_harmony.deploy import ConnectorJar, Options, deploy, environment_jar, succeeded
    from hatch_harmony.engine.pipeline import previous_values

    env = environ_for(args)
    config = config_for(args, env)
    destinations = []
    for text in args.to or ():
        parsed = parse_destination(text)
        if isinstance(parsed, str):
            raise ConfigError(f"--to {text}: {parsed}")
        destinations.append(parsed)
    if not destinations:
        destinations = list(config.deploy)
    if not destinations:
        table = config.table_path + (f".environments.{config.environment}" if config.environment else "")
        raise ConfigError(
            f'No destination: add deploy = ["/opt/jitterbit/Connectors"] (or ssh://host/path) to [{table}] '
            "in pyproject.toml, or pass --to DEST."
        )
    adapter = adapter_for(config)
    entry = lock_entry_for(config, adapter, env)
    keys, _ = previous_values(config.manifest)
    restart = args.restart or config.restart
    options = Options(
        dry_run=args.dry_run,
        force=args.force,
        rollback=args.rollback,
        restart_command=config.restart_command if restart else None,
    )
    if args.watch:
        return _watch(
            args, out, config=config, adapter=adapter, env=env, destinations=destinations, options=options
        )
    if args.rollback:
        source = None
        # no jar to send: the connector is known by its adapter name and the environment's key
        identity = ConnectorJar(
            name="",
            digest="",
            adapter_name=adapter.name,
            version=None,
            endpoint_id=None,
            key=keys.key if keys else None,
        )
    else:
        source = environment_jar(config, adapter, entry, keys)
        identity = source.jar
    plans = deploy(identity, source, destinations, options)
    out.emit(*report(config, args, plans, source, None))
    return EXIT_OK if succeeded(plans) else EXIT_FAILURE


def report(
    config: HarmonyConfig,
    args: argparse.Namespace,
    plans: Sequence[Plan],
    source: Source | None,
    error: str | None,
) -> tuple[dict[str, Json], list[str]]:
    """The document and the lines of one deploy (one round of --watch)."""
    from hatch_harmony.deploy import RELOAD_NOTICE, succeeded

    jar_info: dict[str, Json] | None = None
    if source is not None:
        jar_info = {"path": str(source.path), "version": source.jar.version, "sha256": source.jar.digest}
    rows: list[Json] = [
        {
            "destination": p.destination,
            "action": p.action,
            "reason": p.reason,
            "steps": p.steps(),
            "status": p.status,
            "error": p.error,
            "restart": p.restart,
        }
        for p in plans
    ]
    data: dict[str, Json] = {
        "environment": config.environment,
        "jar": jar_info,
        "rollback": args.rollback,
        "dryRun": args.dry_run,
        "destinations": rows,
        "ok": error is None and succeeded(plans),
    }
    if args.watch:
        data["error"] = error
    what = "roll back" if args.rollback else shown_path(source.path, config.root) if source else ""
    if args.watch and source is not None:
        what = f"{source.path.name}, Version {source.jar.version}"
    lines = [f"deploy {what}" + (" (dry run: nothing changed)" if args.dry_run else "")]
    if error is not None:
        lines = [f"not deployed: {error}"]
    for p in plans:
        lines.append(f"{p.destination}: {p.action} ({p.status}) — {p.reason}")
        lines += [f"  {step}" for step in p.steps()]
        if p.error and p.error != p.reason:
            lines.append(f"  error: {p.error}")
        if p.restart:
            lines.append(f"  restart: {p.restart}")
    restart = args.restart or config.restart
    if not restart and any(p.action in ("copy", "rollback") for p in plans):
        data["notice"] = RELOAD_NOTICE
        lines.append(f"note: {RELOAD_NOTICE}")
    return data, lines


def _watch(
    args: argparse.Namespace,
    out: Output,
    *,
    config: HarmonyConfig,
    adapter: Adapter,
    env: dict[str, str],
    destinations: list[Destination],
    options: Options,
) -> int:
    """The development loop: until Ctrl+C (exit 130, as for any interrupted command)."""
    from hatch_harmony.deploy.watch import watch
    from hatch_harmony.engine.pipeline import previous_values

    if args.rollback or args.dry_run:
        raise ConfigError("--watch builds and deploys on every change: it takes no --rollback or --dry-run")

    def registration() -> tuple[LockEntry | None, KeyPair | None]:
        return lock_entry_for(config, adapter, env), previous_values(config.manifest)[0]

    def each(plans: Sequence[Plan], source: Source | None, error: str | None) -> None:
        out.emit(*report(config, args, plans, source, error))
        sys.stdout.flush()

    watch(
        config,
        adapter,
        env=env,
        registration=registration,
        destinations=destinations,
        options=options,
        report=each,
    )
    return EXIT_OK
