"""The checks that ask Harmony: the login, the organisation, the lock's registration, the manifest's key.

Read-only by construction: the only calls made are login, list and validate (3 requests at
most; the lock entry is compared with the list the org check already fetched). Register and
delete are never called, and nothing is written. The list is read for ids only
(`HarmonyClient.listed`): doctor needs no key from it, so a server that lists connectors
without their keys passes. Each API error is the client's, worded by api/errors.py (which
already says whether two-factor authentication or SSO refused a login), and becomes that
check's failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from hatch_harmony.doctor.local import error_check
from hatch_harmony.doctor.report import Check, failed, ok, skipped, warning
from hatch_harmony.errors import HarmonyError, shown_path
from hatch_harmony.vocabulary import KEY_VAR, SECRET_VAR

if TYPE_CHECKING:
    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.api.replies import Listed
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry


def login_check(client: HarmonyClient) -> Check:
    from hatch_harmony.api.errors import AuthenticationError, LoginRefusedError

    try:
        session = client.login()
    except LoginRefusedError as exc:
        return error_check("login", "the account cannot log in unattended (two-factor or SSO)", exc)
    except AuthenticationError as exc:
        return error_check("login", "Harmony refused the login", exc)
    except HarmonyError as exc:
        return error_check("login", "the login failed", exc)
    orgs = len(session.orgs)
    default = f"default org {session.default_org_id}" if session.default_org_id else "no default org"
    plural = "s" if orgs != 1 else ""
    return ok("login", f"logged in at {client.host}; {default}; {orgs} organisation{plural}")


def org_check(client: HarmonyClient) -> tuple[Check, list[Listed] | None]:
    """The organisation the checks work in answers a list of its connectors (read for ids only)."""
    try:
        registrations = client.listed()
        org = client.org_id
    except HarmonyError as exc:
        return error_check("org", "the organisation's connectors cannot be listed", exc), None
    count = f"{len(registrations)} registered connector{'s' if len(registrations) != 1 else ''}"
    keyless = "" if all(r.keys_listed for r in registrations) else " (listed without their keys)"
    return ok("org", f"org {org} is reachable: {count}{keyless}"), registrations


def lock_entry_check(entry: LockEntry, registrations: Sequence[Listed], *, lock: str) -> Check:
    """Pure: the lock's registration is in the org's list with the same id, endpoint and activity range."""
    fix_gone = (
        f"If it was deleted on purpose, remove its [[connector]] entry from {lock} and build again (a new "
        "registration gets new ids); otherwise check the org id (`hatch-harmony list` shows the org's "
        "connectors)."
    )
    found = next((r for r in registrations if r.id == entry.connector_id), None)
    if found is None:
        return failed(
            "lock-entry",
            f"connector id {entry.connector_id} of {lock} ({entry.name!r} {entry.version}) is not registered "
            f"in org {entry.org_id}",
            fix_gone,
        )
    ours = (entry.endpoint_entity_id, entry.function_entity_start_id, entry.function_entity_end_id)
    theirs = (found.endpoint_entity_id, found.function_entity_start_id, found.function_entity_end_id)
    if ours != theirs:
        return failed(
            "lock-entry",
            f"connector {entry.connector_id}: {lock} records endpoint {ours[0]}, range {ours[1]}-{ours[2]}; "
            f"Harmony has endpoint {theirs[0]}, range {theirs[1]}-{theirs[2]}",
            f"{lock} was edited or belongs to another server: restore it from git, or remove the entry and "
            "build again to adopt Harmony's registration.",
        )
    return ok(
        "lock-entry",
        f"connector {entry.connector_id} ({entry.name!r} {entry.version}): endpoint {ours[0]}, "
        f"range {ours[1]}-{ours[2]}, as in {lock}",
    )


def manifest_key_check(
    client: HarmonyClient, config: HarmonyConfig, name: str, entry: LockEntry | None, env: Mapping[str, str]
) -> Check:
    """Harmony validates the key and secret the next build would put in the manifest (1 request).

    Which pair that is, is decision.local_keys' rule, asked of it: HARMONY_CONNECTOR_KEY and
    _SECRET first (a CI job's), then the manifest generated last time if it was generated for
    the lock's registration. A CI job with a wrong secret in its store builds offline with 0
    requests and ships a jar no agent accepts; this is where it learns so.
    """
    from hatch_harmony.engine.decision import keypair_from_env, local_keys
    from hatch_harmony.engine.pipeline import previous_values

    shown = shown_path(config.manifest, config.root)
    env_keys = keypair_from_env(env)  # a half-set pair never gets here: the config check failed
    manifest_keys, endpoint = previous_values(config.manifest, shown)
    if entry is None:
        keys = env_keys or manifest_keys
    else:
        keys = local_keys(entry, env_keys, manifest_keys, endpoint)
        if keys is None and manifest_keys is not None:
            return warning(
                "manifest-key",
                f"{shown} was generated for endpoint {endpoint}, not this registration's "
                f"{entry.endpoint_entity_id}, so a build will not reuse its key",
                f"The next build looks the key up (2 requests) and rewrites {shown}; "
                "`hatch-harmony manifest` does it now.",
            )
    if keys is None:
        return skipped(
            "manifest-key", f"no key and secret at hand: {shown} does not hold them yet (a build writes it)"
        )
    source = f"{KEY_VAR} and {SECRET_VAR}" if keys is env_keys else shown
    try:
        client.validate(name, keys.key, keys.secret)
    except HarmonyError as exc:
        return error_check("manifest-key", f"Harmony does not accept the key and secret of {source}", exc)
    return ok("manifest-key", f"Harmony accepts the key and secret of {source} for {name!r}")


def adapter_name(adapter: Adapter | None, entry: LockEntry | None) -> str | None:
    """The name validate asks about: the registered one (the lock's), else adapter.json's."""
    return entry.name if entry is not None else (adapter.name if adapter is not None else None)
