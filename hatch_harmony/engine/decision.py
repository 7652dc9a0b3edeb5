"""The decision table: which row of "when does a build talk to Harmony?" a run takes.

=====================================================  ========  =====================
situation                                              requests  row
=====================================================  ========  =====================
lock entry + key/secret at hand, adapter unchanged     0         ``Row.OFFLINE``
same, ``verify`` on                                    2         ``Row.VERIFY``
lock entry, no key/secret at hand (fresh CI checkout)  2         ``Row.LOOK_UP``
no lock entry (adopt if registered, else register)     2 or 3    ``Row.ADOPT_OR_REGISTER``
network needed, but no credentials or offline          0         NeedsNetworkError
no entry by this name, the lock has it by another      0         ConfigError (refuse_rename)
=====================================================  ========  =====================

`decide` (and `decide_for`) read nothing and write nothing: given the lock as read, the
adapter, the version and the keys at hand, it names the row, the entry, the keys, the request
count and the reason. `execute.py` does the I/O of the row. `plan` is the one function here that
reads a file: it reads harmony.lock as it is now and decides, for `hatch-harmony status`, `init`
and `doctor`, so what they predict is what a build does. docs/architecture.md explains the table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hatch_harmony.api import protocol
from hatch_harmony.errors import ConfigError
from hatch_harmony.project.lock import LockEntry, LockFile
from hatch_harmony.vocabulary import ENV_VAR, KEY_VAR, OFFLINE_VAR, ORG_ID_VAR, SECRET_VAR

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.project.adapter import Adapter


@dataclass(frozen=True)
class KeyPair:
    """A connector key and secret found without asking Harmony, and where they came from."""

    key: str = field(repr=False)
    secret: str = field(repr=False)
    source: str  # "environment" or the path of the previously generated manifest


@dataclass(frozen=True)
class EngineInputs:
    """What a run brings besides config, adapter and lock: the version it registers, and the last manifest.

    `version_source` says whose version it is (adapter.json's `version`, else the project's),
    so that a message about it names the file that really holds it. `manifest_keys` and
    `manifest_endpoint` are what the previously generated manifest holds; its keys are
    trusted only when its endpoint id is the lock entry's (`local_keys`).
    """

    version: str
    version_source: str = "the project version"
    manifest_keys: KeyPair | None = None
    manifest_endpoint: str | None = None


def registered_version(adapter: Adapter, project_version: str | None) -> tuple[str, str]:
    """The version to register and whose it is: adapter.json's where present, else the project's.

    Harmony registers a connector by name and version, and Jitterbit asks for adapter.json's
    version where it has one; the project version (what the manifest `Version` shows) fills in.
    """
    if adapter.version:
        return adapter.version, f"{adapter.path.name} `version`"
    if project_version:
        return project_version, "the project version"
    raise ConfigError(
        f'{adapter.path.name}: no `version`, and the project has none either. Add "version": "1.0.0" '
        "to adapter.json: Harmony registers a connector by name and version."
    )


def inputs_for(
    adapter: Adapter,
    project_version: str | None,
    manifest_keys: KeyPair | None = None,
    manifest_endpoint: str | None = None,
) -> EngineInputs:
    """`EngineInputs` for this adapter and project version (see `registered_version`)."""
    version, source = registered_version(adapter, project_version)
    return EngineInputs(version, source, manifest_keys, manifest_endpoint)


def keypair_from_env(env: Mapping[str, str]) -> KeyPair | None:
    """HARMONY_CONNECTOR_KEY and _SECRET, which come as a pair or not at all."""
    key = env.get(KEY_VAR, "").strip()
    secret = env.get(SECRET_VAR, "").strip()
    if bool(key) != bool(secret):
        missing = SECRET_VAR if key else KEY_VAR
        present = KEY_VAR if key else SECRET_VAR
        raise ConfigError(
            f"{present} is set but {missing} is not: set both (from your CI's secret store) or neither."
        )
    from hatch_harmony.jar_manifest import value_problem
    from hatch_harmony.vocabulary import is_placeholder

    for name, value in ((KEY_VAR, key), (SECRET_VAR, secret)):
        if value and (value_problem(value) is not None or is_placeholder(value)):
            raise ConfigError(
                f"{name} is not a usable connector {name.rsplit('_', 1)[-1].lower()}: it is a placeholder or "
                "holds a line break or NUL (which would inject manifest lines). Copy the value again from "
                "Harmony (`hatch-harmony list` shows the registration) into your CI's secret store."
            )
    return KeyPair(key, secret, "environment") if key else None


class Row(enum.Enum):
    """One row of the table; the value is what `hatch-harmony status` calls it."""

    OFFLINE = "offline"
    VERIFY = "verify"
    LOOK_UP = "look-up"
    ADOPT_OR_REGISTER = "adopt-or-register"
    NEEDS_NETWORK = "needs-network"  # only in a plan: HARMONY_OFFLINE set and the row needs Harmony


@dataclass(frozen=True)
class Step:
    """The decided row, with what executing it needs and what it costs.

    `requests` is the least the row makes, `max_requests` the most (2 and 3 when it may
    have to register); both are numbers, so `status --json` has one type per field.
    """

    row: Row
    entry: LockEntry | None
    keys: KeyPair | None = field(repr=False)
    requests: int
    max_requests: int
    reason: str

    @property
    def action(self) -> str:
        return self.row.value

    @property
    def requests_text(self) -> str:
        """The request count as `status` and `init` word it: "0 requests", "2 requests", "2-3 requests"."""
        most = f"-{self.max_requests}" if self.max_requests > self.requests else ""
        return f"{self.requests}{most} requests"


def scope(config: HarmonyConfig, adapter: Adapter, host: str) -> str:
    """'Name' on host (environment e): how messages name the registration a run is about."""
    env = f" (environment {config.environment!r})" if config.environment else ""
    return f"{adapter.name!r} on {host}{env}"


def decide(
    config: HarmonyConfig,
    adapter: Adapter,
    lock: LockFile,
    *,
    host: str,
    env_keys: KeyPair | None,
    inputs: EngineInputs,
) -> Step:
    """The row a run takes (see the module docstring), without acting on it."""
    entry = find_entry(config, adapter, lock, host=host, version=inputs.version)
    lock_name = config.lock.name
    if entry is None:
        return Step(
            Row.ADOPT_OR_REGISTER,
            None,
            None,
            2,
            3,
            f"{lock_name} has no registration of {scope(config, adapter, host)}: a build looks it up "
            "(login, list) and registers it only if Harmony does not have it",
        )
    keys = local_keys(entry, env_keys, inputs.manifest_keys, inputs.manifest_endpoint)
    if keys is None:
        return Step(
            Row.LOOK_UP,
            entry,
            None,
            2,
            2,
            f"{lock_name} has the registration, but no key/secret is at hand (no generated manifest, no "
            f"{KEY_VAR}/{SECRET_VAR}): key and secret taken from Harmony's list",
        )
    if config.verify:
        return Step(
            Row.VERIFY, entry, keys, 2, 2, f"key from {keys.source}; verify is on: login and validate"
        )
    reason = f"{lock_name} has the registration and the key came from {keys.source}"
    return Step(Row.OFFLINE, entry, keys, 0, 0, reason)


def decide_for(
    config: HarmonyConfig,
    adapter: Adapter,
    env: Mapping[str, str],
    lock: LockFile,
    inputs: EngineInputs,
) -> Step:
    """`decide` for this config's host and the keys the environment holds: what a build asks."""
    from hatch_harmony.engine.connection import lock_host

    return decide(
        config, adapter, lock, host=lock_host(config), env_keys=keypair_from_env(env), inputs=inputs
    )


def plan(
    config: HarmonyConfig,
    adapter: Adapter,
    env: Mapping[str, str],
    inputs: EngineInputs,
) -> Step:
    """`decide_for` on the lock as it is now, as `hatch-harmony status` shows it (no request).

    With HARMONY_OFFLINE set, a row that needs Harmony is predicted as what the build really
    does then: stop with 0 requests.
    """
    from hatch_harmony.project.lock import read_lock

    step = decide_for(config, adapter, env, read_lock(config.lock), inputs)
    if not config.offline or step.row is Row.OFFLINE:
        return step
    return Step(
        Row.NEEDS_NETWORK,
        step.entry,
        step.keys,
        0,
        0,
        f"{OFFLINE_VAR} is set, but a build would need Harmony ({step.action}: {step.reason}); it "
        "stops with exit 3 and writes nothing",
    )


def find_entry(
    config: HarmonyConfig, adapter: Adapter, lock: LockFile, *, host: str, version: str
) -> LockEntry | None:
    """The lock entry for this host, org, name (and version when registering per version).

    Without a configured org id the org is not known offline; the entry is then found by
    host and name alone, which is unambiguous unless the lock holds several orgs.
    """
    here = [e for e in lock.entries if e.host == host and config.org_id in (None, e.org_id)]
    wanted = version if config.register_per_version else None
    candidates = protocol.named(here, adapter.name, wanted, lambda e: (e.name, e.version))
    orgs = sorted({e.org_id for e in candidates})
    if len(orgs) > 1:
        environments = sorted({e.environment for e in candidates if e.environment})
        pick = (
            f"select the environment with {ENV_VAR} or --env (the lock records "
            f"{', '.join(map(repr, environments))}), or set `org-id` in the hook configuration or "
            f"{ORG_ID_VAR}"
            if environments
            else f"set `org-id` in the hook configuration or {ORG_ID_VAR}"
        )
        raise ConfigError(
            f"{config.lock} holds registrations of {adapter.name!r} in several organisations "
            f"({', '.join(orgs)}): {pick} to pick one."
        )
    if not candidates:
        return None
    same_version = protocol.named(candidates, adapter.name, version, lambda e: (e.name, e.version))
    return same_version[-1] if same_version else candidates[-1]


def renamed_from(config: HarmonyConfig, adapter: Adapter, lock: LockFile, *, host: str) -> list[LockEntry]:
    """The entries of this host and organisation, when none of them has adapter.json's name.

    Then the lock holds this connector under another name: adapter.json's `name` was
    changed. Once an entry has the new name (it was registered on purpose), the others
    are the old names' registrations, kept so they can be deleted. With no `org-id`
    configured the organisation is not known offline; the entries of the same environment
    (or of none) stand for it, as they were built with the same settings.
    """
    here = [
        e
        for e in lock.entries
        if e.host == host
        and (e.org_id == config.org_id if config.org_id else e.environment == config.environment)
    ]
    if protocol.named(here, adapter.name, None, lambda e: (e.name, e.version)):
        return []
    return here


def refuse_rename(config: HarmonyConfig, adapter: Adapter, lock: LockFile, *, host: str) -> None:
    """A new adapter.json `name` registers a new connector: stop before any request, say what it means.

    Harmony identifies a connector by its name, so a rename is not an edit of the
    registration: it makes another connector, with another endpoint and new activity ids,
    while every Harmony project keeps using the old one. Only `hatch-harmony register`
    (the deliberate way) registers the new name; it keeps the old lock entry.
    """
    old = renamed_from(config, adapter, lock, host=host)
    if not old:
        return
    names = " and ".join(dict.fromkeys(repr(e.name) for e in old))
    ids = ", ".join(dict.fromkeys(e.connector_id for e in old))
    raise ConfigError(
        f"{adapter.path.name} names the connector {adapter.name!r}, but {config.lock.name} records it as "
        f"{names} (connector id {ids} in org {old[-1].org_id}) on {host}. Harmony identifies a connector "
        f"by its name: {adapter.name!r} would be a new connector with a new endpoint and new activity ids, "
        f"and every Harmony project using {old[-1].name!r} keeps pointing at the old one. Nothing was sent "
        f"or written. To change what people see in Integration Studio, restore `name` to {old[-1].name!r} "
        "and change the `displayName` instead. To register the new name on purpose, run `hatch-harmony "
        f"register`: the old entry stays in {config.lock.name}, so `hatch-harmony delete --registration "
        "--id ID` can still remove the old registration."
    )


def local_keys(
    entry: LockEntry, env_keys: KeyPair | None, manifest_keys: KeyPair | None, manifest_endpoint: str | None
) -> KeyPair | None:
    """Key and secret at hand without Harmony: the environment first, then the last generated manifest."""
    if env_keys is not None:
        return env_keys
    if manifest_keys is not None and manifest_endpoint == entry.endpoint_entity_id:
        return manifest_keys
    return None
