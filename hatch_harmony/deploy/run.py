"""A deploy over every destination of the environment (an agent group), and its report.

Why each destination on its own: the agents of a group are separate machines; one that is
down must not stop the others, and the report says which got the jar. A rerun finishes
the rest, since a destination already holding the identical jar needs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hatch_harmony.config.destinations import Destination
from hatch_harmony.deploy.folders import Folder, LocalFolder
from hatch_harmony.deploy.jars import ConnectorJar
from hatch_harmony.deploy.plan import Plan, carry_out, plan_deploy, plan_rollback
from hatch_harmony.deploy.source import DeployError, Source

RELOAD_NOTICE = (
    "the agent reloads a connector when its jar's `Version` changes; otherwise restart it "
    "(--restart, or restart = true and restart-command in pyproject.toml)"
)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    force: bool = False
    rollback: bool = False
    restart_command: str | None = None  # None: no restart


def folder_for(destination: Destination) -> Folder:
    """The folder a destination names: local, or over the system's ssh client."""
    if destination.is_ssh:
        from hatch_harmony.deploy.ssh import SshFolder

        return SshFolder(destination)
    return LocalFolder(destination.path, destination.text)


def deploy(
    identity: ConnectorJar,
    source: Source | None,
    destinations: Sequence[Destination],
    options: Options,
    open_folder: Callable[[Destination], Folder] = folder_for,
) -> list[Plan]:
    """Plan (and unless a dry run, carry out) the deploy or rollback on each destination in turn."""
    plans = []
    for destination in destinations:
        folder = open_folder(destination)
        try:
            plans.append(_one(identity, source, folder, options))
        finally:
            folder.close()
    return plans


def _one(identity: ConnectorJar, source: Source | None, folder: Folder, options: Options) -> Plan:
    try:
        if options.rollback:
            plan = plan_rollback(folder, identity)
        else:
            assert source is not None
            plan = plan_deploy(folder, source.jar, source.path.name, force=options.force)
    except DeployError as exc:
        return Plan(folder.label, "fail", exc.message, status="failed", error=exc.message)
    if plan.action == "refuse":
        plan.status = "refused"
        return plan
    if options.dry_run:
        return plan
    try:
        carry_out(plan, folder, identity, None if source is None else source.data)
    except DeployError as exc:
        plan.status, plan.error = "failed", exc.message
        return plan
    plan.status = "done"
    if options.restart_command and plan.action in ("copy", "rollback"):
        ran = folder.run(options.restart_command)
        plan.restart = f"`{options.restart_command}` exited {ran.returncode}" + (
            f": {ran.output}" if ran.output and ran.returncode else ""
        )
        if ran.returncode:
            plan.status, plan.error = (
                "failed",
                f"the jar is in place, but the restart failed ({plan.restart})",
            )
    return plan


def succeeded(plans: Sequence[Plan]) -> bool:
    return all(plan.status in ("done", "planned") for plan in plans)
