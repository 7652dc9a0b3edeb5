"""The engine's I/O: execute the row `decision.decide` chose, and keep harmony.lock.

`decision.py` names the row of the request table (0, 2 or 3 requests; docs/architecture.md,
"When does a build talk to Harmony?"); this module does
what that row needs: log in, list, register, validate, assign activity ids, and write
the lock entry. Registering is not idempotent, so a run that may register holds the
build mutex from reading the lock to writing it, reads the lock under it, and writes
the entry right after the register reply, before anything else. A crash after the reply
but before the lock write is healed by the next run: it finds the registration with
``list`` and adopts it. Every write of harmony.lock goes through `_save` or `forget`,
both under the mutex. The run's context is `run_context`, the entries it writes `lock_entries`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hatch_harmony.api import protocol
from hatch_harmony.api.errors import RegisterOutcomeUnknownError
from hatch_harmony.api.protocol import Registration
from hatch_harmony.engine.connection import Client, ClientFactory, default_client_factory, lock_host
from hatch_harmony.engine.decision import (
    EngineInputs,
    KeyPair,
    Row,
    Step,
    decide_for,
    keypair_from_env,
    refuse_rename,
)
from hatch_harmony.engine.lock_entries import (
    bare_entry,
    check_adapter,
    entry_for,
    registration_from,
    same_ids_or_fail,
)
from hatch_harmony.engine.machine_mutex import registering
from hatch_harmony.engine.run_context import RunContext
from hatch_harmony.engine.shipped_ids import ShippedIds, claims_about, refuse_new_registration
from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.project.adapter import Adapter
from hatch_harmony.project.lock import LockEntry, LockFile, read_lock, write_lock
from hatch_harmony.util.files import build_mutex

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig


@dataclass(frozen=True)
class Outcome:
    """What the engine decided, for the manifest writer and for status lines."""

    registration: Registration
    entry: LockEntry
    activity_ids: dict[str, int]
    action: str  # offline | verified | looked-up | adopted | registered
    reason: str
    requests: int
    notices: tuple[str, ...] = ()
    lock_written: bool = False


def _pick(found: list[Registration], run: RunContext) -> Registration | None:
    """The registration to adopt among `list` results with our name and version.

    Several may exist when someone registered by hand twice; the oldest (lowest id) is
    adopted and the others are reported, never deleted.
    """
    matching = protocol.named(found, run.adapter.name, run.version, lambda r: (r.name, r.version))
    if not matching:
        return None
    matching.sort(key=lambda r: (len(r.id), r.id))
    if len(matching) > 1:
        others = ", ".join(r.id for r in matching[1:])
        run.notices.append(
            f"Harmony holds {len(matching)} registrations of {run.adapter.name!r} {run.version}; "
            f"adopted the oldest (id {matching[0].id}). The others ({others}) are unused by this project: "
            "`hatch-harmony delete --registration` removes one."
        )
    return matching[0]


def _save(run: RunContext, lock: LockFile, entry: LockEntry) -> bool:
    """Write the lock file when the entry changed (never in read-only runs); returns whether it wrote."""
    updated = lock.with_entry(entry)
    if run.read_only or (updated == lock and run.config.lock.exists()):
        return False
    write_lock(run.config.lock, updated)
    return True


def forget(config: HarmonyConfig, entry: LockEntry) -> bool:
    """Remove `entry` from the lock (its registration was deleted); returns whether it was there.

    Under the same build mutex as a registering build, re-reading the file under
    it, so a build running meanwhile is neither overwritten nor sees a torn file.
    """
    with build_mutex(config.lock, what=f"removal of {entry.name!r} from {config.lock.name}"):
        lock = read_lock(config.lock)
        kept = tuple(e for e in lock.entries if e.key != entry.key)
        if len(kept) == len(lock.entries):
            return False
        write_lock(config.lock, LockFile(kept))
        return True


def ensure_registration(
    config: HarmonyConfig,
    adapter: Adapter,
    env: Mapping[str, str],
    inputs: EngineInputs,
    *,
    shipped: Sequence[ShippedIds] = (),
    client_factory: ClientFactory | None = None,
    allow_register: bool = True,
    read_only: bool = False,
    new_name: bool = False,
) -> Outcome:
    """Decide (`decision.decide`) and execute the row; return what to write.

    `inputs` hold the version to register (adapter.json's, else the project's) and whose it
    is, and the key and endpoint of the previously generated manifest; its keys are trusted
    only when its endpoint id matches the lock entry's, so a manifest left over from another
    registration or organisation is never reused.
    `shipped` are the ids existing manifests (template, last output) already ship: kept, or
    the run stops before writing anything (shipped_ids.py).
    `read_only` runs (`manifest --check`) write no file and never register.
    `new_name` registers a connector whose adapter.json `name` the lock records under
    another name (`hatch-harmony register`); builds refuse that (`decision.refuse_rename`).
    """
    run = RunContext(
        config=config,
        adapter=adapter,
        version=inputs.version,
        version_source=inputs.version_source,
        env=env,
        factory=client_factory or default_client_factory,
        host=lock_host(config),
        allow_register=allow_register and not read_only,
        read_only=read_only,
        shipped=tuple(shipped),
        new_name=new_name,
    )
    keypair_from_env(env)  # a half-set pair is refused before the mutex is taken

    def decide_and_execute() -> Outcome:
        lock = read_lock(config.lock)
        return execute(decide_for(config, adapter, env, lock, inputs), run, lock)

    try:
        if read_only:
            return decide_and_execute()
        with build_mutex(config.lock, what=f"registration of {adapter.name!r}"):
            return decide_and_execute()
    finally:
        if run.client is not None:
            run.client.close()


def execute(step: Step, run: RunContext, lock: LockFile) -> Outcome:
    """The I/O of one row; each row is one function below."""
    # Another environment's entries: a template they own is no claim about this environment's
    # registration (shipped_ids.claims_about). This environment's own never set it aside, so a
    # wrong org id outside a declared environment still meets the template's guard.
    run.owners = {
        e.endpoint_entity_id: f"connector {e.connector_id} ({e.name!r} {e.version} in org {e.org_id}, "
        f"recorded in {run.config.lock.name})"
        for e in lock.entries
        if e.host == run.host and e.environment != run.config.environment
    }
    if step.row is Row.ADOPT_OR_REGISTER:
        return _adopt_or_register(run, lock)
    assert step.entry is not None  # every other row is about a lock entry
    if step.row is Row.LOOK_UP:
        return _look_up(run, lock, step.entry)
    assert step.keys is not None
    return _from_lock(run, lock, step.entry, step.keys)


def _outcome(
    run: RunContext, lock: LockFile, reg: Registration, entry: LockEntry, *, action: str, reason: str
) -> Outcome:
    """Record the entry (when it changed) and say what happened."""
    written = _save(run, lock, entry)
    return Outcome(
        reg, entry, dict(entry.activities), action, reason, run.requests, tuple(run.notices), written
    )


def _from_lock(run: RunContext, lock: LockFile, entry: LockEntry, keys: KeyPair) -> Outcome:
    """Lock entry and key/secret at hand: 0 requests, or 2 (login, validate) when verify is on."""
    entry = check_adapter(
        run, entry_for(run, registration_from(entry, keys), entry.org_id, entry, key_known=False)
    )
    action, reason = (
        "offline",
        f"{run.config.lock.name} has the registration and the key came from {keys.source}",
    )
    if run.config.verify:
        client = run.connect(f"Verifying the connector key of {run.scope()}", entry)
        client.validate(entry.name, keys.key, keys.secret)
        action, reason = "verified", "Harmony accepted the key and secret (verify is on)"
    return _outcome(run, lock, registration_from(entry, keys), entry, action=action, reason=reason)


def _look_up(run: RunContext, lock: LockFile, entry: LockEntry) -> Outcome:
    """Lock entry, no key/secret at hand (a fresh CI checkout): 2 requests (login, list)."""
    name = run.config.lock.name
    client = run.connect(
        f"{name} has the registration of {run.scope()} but no key or secret is at hand", entry
    )
    # `find`, not the strict full list: a malformed entry of another connector of the org must
    # not stop this build (one that may be ours still fails, so it is never taken for "absent").
    found = [r for r in client.find(entry.name) if r.id == entry.connector_id]
    if not found:
        raise HarmonyError(
            f"{run.config.lock} records connector id {entry.connector_id} ({entry.name!r}) in org "
            f"{entry.org_id}, but Harmony ({run.host}) no longer lists it: it was deleted. To register it "
            f"again (with new activity ids), remove that [[connector]] entry from {name} and build again."
            + _emulator_hint(run.host)
        )
    registration = found[0]
    same_ids_or_fail(run, entry, registration)
    entry = check_adapter(run, entry_for(run, registration, entry.org_id, entry, key_known=True))
    reason = f"{name} has the registration; key and secret taken from Harmony's list"
    return _outcome(run, lock, registration, entry, action="looked-up", reason=reason)


def _emulator_hint(host: str) -> str:
    """On a loopback host (the emulator): where its registrations live, since a restart may lose them."""
    from hatch_harmony.api.host import Host, HostError
    from hatch_harmony.util.data_dir import emulator_data_file

    try:
        parsed = Host.parse(host)
    except HostError:
        return ""
    if not parsed.is_loopback:
        return ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return (
        f" If {host} is hatch-harmony's emulator, it keeps registrations in its data file (by default "
        f"{emulator_data_file(port)}, the path its banner prints under State): an emulator started with "
        "--memory or another --data file does not know this one; restart it with that file instead."
    )


def other_hosts(lock: LockFile, name: str, host: str) -> str | None:
    """`has 'Acme' registered on <hosts>; this build targets <host>: ...` when only other hosts have it.

    A lock holding only an emulator registration, read by a build for a real region, would
    otherwise just say "no registration", as if the connector were new everywhere.
    """
    from urllib.parse import urlsplit

    from hatch_harmony.api.host import is_loopback

    hosts = sorted({e.host for e in lock.entries if e.name == name and e.host != host})
    if not hosts:
        return None

    def shown(other: str) -> str:
        return f"{other} (the emulator)" if is_loopback(urlsplit(other).hostname or "") else other

    return (
        f"has {name!r} registered on {', '.join(shown(h) for h in hosts)} only; this build targets {host}: "
        "it will look up or register the connector there (each host has its own registration and ids)"
    )


def _adopt_or_register(run: RunContext, lock: LockFile) -> Outcome:
    """No lock entry: 2 requests (login, list) to adopt, 3 (login, list, register) to register."""
    config = run.config
    if not run.new_name:
        refuse_rename(config, run.adapter, lock, host=run.host)
    renamed = sorted({e.name for e in lock.entries if e.host == run.host and e.name != run.adapter.name})
    if renamed:
        run.notices.append(
            f"{config.lock.name} has {', '.join(map(repr, renamed))} but adapter.json now says "
            f"{run.adapter.name!r}: Harmony knows connectors by name, so this is a new connector with new "
            "activity ids. If it is a rename, the old registration stays until `hatch-harmony delete "
            "--registration --id ID` removes it."
        )
    why = f"{run.scope()} is not in {config.lock.name}, so it must be looked up or registered"
    elsewhere = other_hosts(lock, run.adapter.name, run.host)
    if elsewhere:
        run.notices.append(f"{config.lock.name} {elsewhere}")
        why += f" ({config.lock.name} {elsewhere})"
    client = run.connect(why)
    if run.read_only or not run.allow_register:  # never registers: nothing to keep apart
        return _look_up_or_register(run, lock, client)
    # Another checkout of this connector may be registering it right now: from the lookup to the
    # lock write, one build per (host, organisation, name) on this machine (machine_mutex).
    with registering(run.env, run.host, client.org_id, run.adapter.name):
        return _look_up_or_register(run, lock, client)


def _look_up_or_register(run: RunContext, lock: LockFile, client: Client) -> Outcome:
    """The lookup, the register when it finds nothing, and the lock entry."""
    org_id = client.org_id
    registration = _pick(client.find(run.adapter.name, run.version), run)
    action, reason = "adopted", f"already registered in org {org_id}; adopted instead of registering again"
    if registration is None:
        claims, _ = claims_about(run.shipped, run.owners, None)
        refuse_new_registration(claims, f"{run.adapter.name!r} {run.version}", org_id)
        registration = _register(run, client, org_id)
        action, reason = "registered", f"not registered in org {org_id} yet"
    for aside in claims_about(run.shipped, run.owners, registration.endpoint_entity_id)[1]:
        run.notices.append(
            f"{aside}: they were not used for connector {registration.id} in org {org_id}, which has its "
            "own endpoint and activity ids (recorded in the lock)."
        )
    try:
        entry = entry_for(run, registration, org_id, None, key_known=True)
    except ConfigError:
        # A new registration exists now: record it before reporting why ids cannot be
        # assigned, so the next run adopts it instead of registering again. An adopted
        # one existed before this run: nothing is written.
        if action == "registered":
            _save(run, lock, bare_entry(run, registration, org_id))
        raise
    return _outcome(run, lock, registration, entry, action=action, reason=reason)


def _register(run: RunContext, client: Client, org_id: str) -> Registration:
    """The one register request of a run; an unknown outcome is resolved by listing, never by resending."""
    if run.read_only:
        raise HarmonyError(
            f"{run.scope()} is not registered in org {org_id} yet; a build (or `hatch-harmony register`) "
            "registers it."
        )
    if not run.allow_register:
        raise HarmonyError(
            f"{run.scope()} is neither in {run.config.lock.name} nor registered in org {org_id}, and this "
            "build cannot register it: it runs from an unpacked sdist, whose lock file is a temporary "
            "copy, so a new registration would be lost. Build once from the source tree (`hatch build`) "
            "and commit harmony.lock."
        )
    try:
        return client.register(run.adapter.name, run.version)
    except RegisterOutcomeUnknownError as exc:
        late = _pick(client.find(run.adapter.name, run.version), run)
        if late is None:
            raise HarmonyError(
                f"The register request for {run.scope()} got no usable reply ({exc.message}) and the "
                "connector is not listed afterwards. Nothing was written. Build again in a minute: the "
                "next run looks the connector up before it registers."
            ) from None
        run.notices.append(
            "the register reply was lost; found the new registration by listing and adopted it"
        )
        return late


__all__ = ["Outcome", "RunContext", "ensure_registration", "execute", "forget"]
