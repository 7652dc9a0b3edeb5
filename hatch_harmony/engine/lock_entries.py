"""Lock entries from a registration: ids kept from what already ships, the rest assigned.

The rules that keep activity ids stable (ids never move: Harmony projects refer to them) meet
here: the entry already in the lock, the ids a shipped manifest holds (`shipped_ids`), and the
lowest free ids for new activities (`activity_ids`). Name and version are always this project's,
never a server's echo: a server that stores them normalised must not make the next build miss
the entry.
"""

from __future__ import annotations

from dataclasses import replace

from hatch_harmony.api.protocol import Registration
from hatch_harmony.engine.activity_ids import assign_activity_ids
from hatch_harmony.engine.decision import KeyPair
from hatch_harmony.engine.run_context import RunContext
from hatch_harmony.engine.shipped_ids import Registered, claims_about, kept_ids
from hatch_harmony.errors import ConfigError
from hatch_harmony.project.adapter import check_fits
from hatch_harmony.project.lock import LockEntry


def entry_for(
    run: RunContext, reg: Registration, org_id: str, previous: LockEntry | None, *, key_known: bool
) -> LockEntry:
    """A lock entry for `reg`, activity ids assigned; kept from `previous` if it is the same registration.

    Ids an existing manifest already ships (`run.shipped`: the template, the last generated
    manifest) are kept too, or the run stops naming the attribute (shipped_ids.py says why);
    a template whose ids belong to another lock entry is no claim about `reg` (`claims_about`).
    `key_known` says whether `reg.key` is Harmony's (then a shipped key must equal it).
    """
    check_fits(run.adapter, reg.function_range)
    same = (
        previous is not None
        and previous.connector_id == reg.id
        and previous.endpoint_entity_id == reg.endpoint_entity_id
    )
    kept = previous if same else None
    registered = Registered(
        describe=f"connector {reg.id or '?'} ({(reg.name or run.adapter.name)!r} in org {org_id})",
        endpoint=reg.endpoint_entity_id,
        id_range=reg.function_range,
        key=reg.key if key_known else None,
    )
    assigned, reserved = kept_ids(
        claims_about(run.shipped, run.owners, reg.endpoint_entity_id)[0],
        registered,
        run.adapter.activities,
        kept.activities if kept else {},
        kept.reserved if kept else {},
    )
    activities, reserved = assign_activity_ids(
        run.adapter.activities, assigned, reserved, reg.function_range, where=str(run.config.lock)
    )
    return replace(
        bare_entry(run, reg, org_id, kept),
        adapter_digest=kept.adapter_digest if kept else run.adapter.digest,
        activities=activities,
        reserved=reserved,
    )


def bare_entry(run: RunContext, reg: Registration, org_id: str, kept: LockEntry | None = None) -> LockEntry:
    """A lock entry with no activity ids yet: enough for the next run to find the registration.

    Name and version are what this project registers with (adapter.json's, or the entry's
    when it already records the registration), never the server's echo: a server that
    normalises names must not make the next build miss the entry.
    """
    return LockEntry(
        host=run.host,
        org_id=org_id,
        name=kept.name if kept else run.adapter.name,
        version=kept.version if kept else run.version,
        connector_id=reg.id,
        endpoint_entity_id=reg.endpoint_entity_id,
        function_entity_start_id=reg.function_entity_start_id,
        function_entity_end_id=reg.function_entity_end_id,
        adapter_digest="",
        activities={},
        reserved={},
        environment=run.config.environment,
    )


def registration_from(entry: LockEntry, keys: KeyPair) -> Registration:
    return Registration(
        id=entry.connector_id,
        name=entry.name,
        version=entry.version,
        key=keys.key,
        secret=keys.secret,
        endpoint_entity_id=entry.endpoint_entity_id,
        function_entity_start_id=entry.function_entity_start_id,
        function_entity_end_id=entry.function_entity_end_id,
    )


def check_adapter(run: RunContext, entry: LockEntry) -> LockEntry:
    """Notices for a changed adapter.json (Harmony caches the UI payload) or version; new digest recorded."""
    if entry.version != run.version:
        run.notices.append(
            f"{run.version_source} is {run.version}, the registration in {run.config.lock.name} is "
            f"{entry.version}: keeping the registration so activity ids stay the same. Set "
            "`register-per-version = true` to register each version separately."
        )
    if entry.adapter_digest and entry.adapter_digest != run.adapter.digest:
        run.notices.append(
            f"{run.adapter.path.name} changed since it was last built for this registration. Harmony "
            "caches the connector UI: if the change does not show in Integration Studio, bump the project "
            "version (the manifest `Version` follows it) and delete the cached payload with "
            "`hatch-harmony delete --payload`."
        )
    return replace(entry, adapter_digest=run.adapter.digest)


def same_ids_or_fail(run: RunContext, entry: LockEntry, reg: Registration) -> None:
    """Reassigning would move every activity id users' projects refer to: never silently."""
    recorded = (entry.endpoint_entity_id, entry.function_entity_start_id, entry.function_entity_end_id)
    listed = (reg.endpoint_entity_id, reg.function_entity_start_id, reg.function_entity_end_id)
    if recorded != listed:
        raise ConfigError(
            f"{run.config.lock}: the entry of connector id {entry.connector_id} ({entry.name!r}) records "
            f"endpoint {recorded[0]} and ids {recorded[1]}-{recorded[2]}, but Harmony lists endpoint "
            f"{listed[0]} and ids {listed[1]}-{listed[2]}. The lock was edited or belongs to another "
            "organisation: restore it from git, or remove that [[connector]] entry to take Harmony's ids "
            "(activity ids will change)."
        )
