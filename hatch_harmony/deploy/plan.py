"""One destination's plan (copy, skip, refuse, roll back) and carrying it out, exactly one jar at a time.

The promise: after a deploy the folder holds exactly one `*.jar` of this connector, and at
no moment in between two. The steps that make it so, for a folder already holding the
connector as `old.jar` and receiving `new.jar`:

1. the new jar is written under a temporary name the agent ignores, and flushed;
2. `old.jar` is copied (the same way) to `old.jar.retired`, the copy kept for --rollback;
   older retired copies of this connector are removed;
3. the temporary file is renamed over `old.jar`: the one atomic step that swaps the
   connector (an agent sees the old jar or the new one, never neither or both);
4. `old.jar` is renamed to `new.jar` (still one jar).

Cut short before step 3, the old jar is still loaded; after it, the new one is. A rerun
finishes the rest (a folder already holding the identical jar needs nothing). Jars of
other connectors and every other file are never touched. A rollback is the same steps
with the retired copy as the new jar.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hatch_harmony.deploy.jars import ConnectorJar, read_connector_jar

if TYPE_CHECKING:
    from hatch_harmony.deploy.folders import Folder

RETIRED = ".retired"
_TEMP_PREFIX = ".hatch-harmony-deploy."
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def _slug(jar: ConnectorJar) -> str:
    return _SLUG.sub("-", jar.adapter_name or "connector")[:40]


def temp_name(jar: ConnectorJar) -> str:
    """A name the agent ignores (no `.jar` suffix, hidden), unique, telling whose it is."""
    return f"{_TEMP_PREFIX}{_slug(jar)}.{secrets.token_hex(6)}.tmp"


@dataclass
class Plan:
    """What a destination needs. `action`: copy, skip, refuse or rollback; names only, no content."""

    destination: str
    action: str
    reason: str
    install: str | None = None  # the jar's name in the folder afterwards
    replace: str | None = None  # the loaded jar of this connector that is swapped out
    retire: str | None = None  # the name its retired copy gets
    remove: list[str] = field(default_factory=list)  # older retired copies, extra jars, leftovers
    source: str | None = None  # rollback: the retired copy put back
    status: str = "planned"  # planned, done, refused, failed
    error: str | None = None
    restart: str | None = None  # what the restart step did, when asked for

    def steps(self) -> list[str]:
        """The plan as the report lists it."""
        found = []
        if self.action == "skip" and self.replace and self.install:
            found.append(f"rename {self.replace} to {self.install}")
        if self.action == "copy":
            found.append(f"copy {self.install}" + (f" in place of {self.replace}" if self.replace else ""))
        elif self.action == "rollback":
            found.append(f"put back {self.source} as {self.install}")
        if self.replace and self.retire:
            found.append(f"retire {self.replace} as {self.retire}")
        found += [f"remove {name}" for name in self.remove]
        return found


@dataclass(frozen=True)
class Listing:
    """A folder as the plan needs it: this connector's loaded jars, retired copies and our leftovers."""

    names: frozenset[str]
    current: list[tuple[float, ConnectorJar]]  # newest first
    retired: list[tuple[float, ConnectorJar]]  # newest first
    leftovers: list[str]


def list_folder(folder: Folder, jar: ConnectorJar) -> Listing:
    """Read every `*.jar` and `*.jar.retired` of the folder (their manifests say whose they are)."""
    entries = folder.entries()
    current: list[tuple[float, ConnectorJar]] = []
    retired: list[tuple[float, ConnectorJar]] = []
    leftovers: list[str] = []
    mine = f"{_TEMP_PREFIX}{_slug(jar)}."
    for entry in entries:
        if entry.name.startswith(mine) and entry.name.endswith(".tmp"):
            leftovers.append(entry.name)
            continue
        if not entry.name.endswith((".jar", ".jar" + RETIRED)):
            continue
        found = read_connector_jar(entry.name, folder.read(entry.name))
        if found is None or not found.same_connector(jar):
            continue
        (retired if entry.name.endswith(RETIRED) else current).append((entry.mtime, found))
    current.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    retired.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    return Listing(frozenset(e.name for e in entries), current, retired, sorted(leftovers))


def plan_deploy(folder: Folder, jar: ConnectorJar, name: str, *, force: bool) -> Plan:
    """What `folder` needs to hold `jar` as `name` and no other jar of its connector."""
    listing = list_folder(folder, jar)
    current = [found for _, found in listing.current]
    if len(current) == 1 and current[0].digest == jar.digest:
        plan = Plan(
            folder.label, "skip", f"already holds this jar ({current[0].name})", remove=listing.leftovers
        )
        if current[0].name != name and name not in listing.names:  # a deploy cut short after its swap
            plan.replace, plan.install = current[0].name, name
        return plan
    if name in listing.names and name not in {c.name for c in current}:
        return Plan(
            folder.label,
            "refuse",
            f"{name} there is not a jar of this connector; move it away, then deploy again",
        )
    clash = [c for c in current if c.version == jar.version and c.digest != jar.digest]
    if clash and not force:
        shown = f"Version {jar.version}" if jar.version else "no Version attribute"
        return Plan(
            folder.label,
            "refuse",
            f"{clash[0].name} has {shown} too but other content: the agent would not reload it. Bump the "
            "project version (the manifest `Version`, unless the hook's `attributes` sets it) and rebuild, "
            "or pass --force",
        )
    plan = Plan(folder.label, "copy", _copy_reason(current, jar), install=name)
    _retire_current(plan, listing, keep=name)
    return plan


def plan_rollback(folder: Folder, jar: ConnectorJar) -> Plan:
    """What `folder` needs to load its retired copy of this connector again and retire the current jar."""
    listing = list_folder(folder, jar)
    if not listing.retired:
        return Plan(folder.label, "refuse", "holds no retired jar of this connector to roll back to")
    source = listing.retired[0][1]
    plan = Plan(folder.label, "rollback", "the retired jar goes back", install=source.name[: -len(RETIRED)])
    plan.source = source.name
    name_taken = plan.install in listing.names and plan.install not in {c.name for _, c in listing.current}
    if name_taken:
        return Plan(
            folder.label, "refuse", f"{plan.install} there is not a jar of this connector; move it away"
        )
    _retire_current(plan, listing, keep=plan.install or "")
    if source.name not in plan.remove and source.name != plan.retire:
        plan.remove.append(source.name)
    return plan


def _copy_reason(current: list[ConnectorJar], jar: ConnectorJar) -> str:
    if not current:
        return "no jar of this connector there yet"
    versions = ", ".join(sorted({c.version or "none" for c in current}))
    return f"Version {versions} there, {jar.version or 'none'} here"


def _retire_current(plan: Plan, listing: Listing, *, keep: str) -> None:
    """Which loaded jar is swapped out (the one named `keep`, else the newest), and what is removed."""
    current = [found for _, found in listing.current]
    named = [c for c in current if c.name == keep]
    anchor = named[0] if named else (current[0] if current else None)
    if anchor is not None:
        plan.replace = anchor.name
        plan.retire = anchor.name + RETIRED
    plan.remove += [c.name for c in current if c is not anchor]
    plan.remove += [r.name for _, r in listing.retired if r.name != plan.retire]
    plan.remove += listing.leftovers


def carry_out(plan: Plan, folder: Folder, jar: ConnectorJar, data: bytes | None) -> None:
    """Do `plan` in the order that keeps exactly one jar of the connector loaded (module docstring)."""
    if plan.action not in ("copy", "rollback", "skip"):
        return
    if plan.action == "skip":
        for name in plan.remove:
            folder.remove(name)
        if plan.replace and plan.install:
            folder.rename(plan.replace, plan.install)
        return
    temp = temp_name(jar)
    if plan.action == "copy":
        assert data is not None
        folder.write(temp, data)
    else:
        assert plan.source is not None
        folder.copy(plan.source, temp)
    if plan.replace and plan.retire:
        kept = temp_name(jar)
        folder.copy(plan.replace, kept)
        folder.rename(kept, plan.retire)
    for name in plan.remove:  # older retired copies, leftovers, a second loaded jar left by hand
        folder.remove(name)
    assert plan.install is not None
    if plan.replace:
        folder.rename(temp, plan.replace)
        if plan.replace != plan.install:
            folder.rename(plan.replace, plan.install)
    else:
        folder.rename(temp, plan.install)
