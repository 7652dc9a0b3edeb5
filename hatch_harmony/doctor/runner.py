"""The checks in their order, each given what the earlier ones found, and the report they make.

A check that needs what an earlier one could not give (a valid config, a login) is
skipped with the reason, never run on guesses. Any `HarmonyError` a check lets through
becomes that check's failure, so one bad input never hides the checks after it and never
ends in a traceback. The network checks run only when credentials are at hand
(connection.open_client decides, as for every command); their requests are counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony.doctor import jar, local, network
from hatch_harmony.doctor.report import Check, Report, Status, failed, skipped
from hatch_harmony.errors import HarmonyError, shown_path

if TYPE_CHECKING:
    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.api.replies import Listed
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.guard.secret_history import SecretScan
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry

#: The checks that ask Harmony, in order.
NETWORK_CHECKS = ("login", "org", "lock-entry", "manifest-key")


def guarded(name: str, run: Callable[[], Check]) -> Check:
    """`run()`, with a HarmonyError or an OS error it lets through turned into this check's failure.

    doctor is what a user runs when something is wrong: an unreadable file or a git that
    cannot start is one failed check naming it, never a traceback that hides the others.
    """
    try:
        return run()
    except HarmonyError as exc:
        return local.error_check(name, "the check could not complete", exc)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return failed(
            name,
            "the check could not complete",
            f"{exc.strerror or exc}{where}: make it readable (or installed) and run doctor again.",
        )


@dataclass
class _Found:
    """What the checks found so far, for the checks after them."""

    checks: list[Check] = field(default_factory=list)
    config: HarmonyConfig | None = None
    adapter: Adapter | None = None
    entry: LockEntry | None = None
    entry_error: HarmonyError | None = None
    history: SecretScan | None = None  # values found only in git history: Harmony is asked about them
    requests: int = 0

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check


def run_doctor(root: Path, env: Mapping[str, str], *, environment: str | None = None) -> Report:
    """Every check, local first; never writes a file and never sends a write request."""
    found = _Found()
    found.add(local.python_check())
    found.add(local.hatchling_check())
    found.add(local.jdk_check())
    _local_checks(found, root, env, environment)
    _network_checks(found, env)
    selected = found.config.environment if found.config is not None else None
    found.add(
        guarded(
            jar.NAME,
            lambda: jar.jar_check(
                root,
                found.entry,
                found.adapter,
                selected,
                adapter_invalid=found.config is not None and found.adapter is None,
            ),
        )
    )
    return Report(tuple(found.checks), found.requests)


def _local_checks(found: _Found, root: Path, env: Mapping[str, str], environment: str | None) -> None:
    config: HarmonyConfig | None = None
    try:
        check, config = local.config_check(root, env, environment)
    except HarmonyError as exc:
        check = local.error_check("config", "the settings cannot be read", exc)
    found.add(check)
    found.config = config
    if config is None:
        for name in ("adapter", "template", "manifest-path"):
            found.add(skipped(name, "needs a valid config"))
    else:
        adapter_check, found.adapter = local.adapter_check(config)
        found.add(adapter_check)
        found.add(guarded("template", lambda: local.template_check(config)[0]))
        found.add(guarded("manifest-path", lambda: local.manifest_path_check(config, found.adapter)))
        if found.adapter is not None:
            _read_entry(found, config, found.adapter, env)
    found.add(guarded("secrets", lambda: _secrets(found, root)))


def _secrets(found: _Found, root: Path) -> Check:
    """The secrets check; a history-only finding is kept for the network checks to complete."""
    from hatch_harmony.guard.secret_history import scan

    result = scan(root)
    if result.commits and not result.tracked:
        found.history = result
    return local.secrets_check(root, result)


def _read_entry(found: _Found, config: HarmonyConfig, adapter: Adapter, env: Mapping[str, str]) -> None:
    """The lock's entry for this connector, as a build finds it (decision.plan via engine.inputs)."""
    from hatch_harmony.engine.inputs import lock_entry_for

    try:
        found.entry = lock_entry_for(config, adapter, env)
    except HarmonyError as exc:  # reported by the lock-entry check
        found.entry_error = exc


def _network_checks(found: _Found, env: Mapping[str, str]) -> None:
    from hatch_harmony.api.client import HarmonyClient
    from hatch_harmony.engine.connection import for_entry, open_client

    config, entry = found.config, found.entry
    if config is None:
        found.checks += [skipped(name, "needs a valid config") for name in NETWORK_CHECKS]
        return
    try:
        opened = open_client(for_entry(config, entry), env, "Checking the login, org, lock entry and key")
    except HarmonyError as exc:
        found.add(skipped("login", exc.message))  # not a failure: doctor is useful offline too
        found.add(skipped("org", "needs the login (see login)"))
        found.add(_lock_entry_offline(found))
        found.add(skipped("manifest-key", "needs the login (see login)"))
        return
    assert isinstance(opened, HarmonyClient)  # the default factory's client: login and list too
    with opened as client:
        try:
            _ask_harmony(found, client, config, env)
        finally:
            found.requests = client.requests_made


def _lock_entry_offline(found: _Found) -> Check:
    """Without the network, the lock entry still fails when the lock cannot be read."""
    if found.entry_error is not None:
        return local.error_check("lock-entry", "the lock entry cannot be looked up", found.entry_error)
    if found.adapter is None:
        return skipped("lock-entry", "needs a valid adapter.json (see adapter)")
    return skipped("lock-entry", "needs the login (see login)")


def _lock_entry(found: _Found, registrations: list[Listed] | None, lock: str) -> Check:
    """The lock-entry check once logged in: compared with the org's list, when there is an entry."""
    entry = found.entry
    if found.entry_error is not None or found.adapter is None:
        return _lock_entry_offline(found)
    if registrations is None:
        return skipped("lock-entry", "needs the org's list (see org)")
    if entry is None:
        return skipped("lock-entry", f"{lock} has no registration of this connector (a build adds it)")
    return guarded("lock-entry", lambda: network.lock_entry_check(entry, registrations, lock=lock))


def _ask_harmony(found: _Found, client: HarmonyClient, config: HarmonyConfig, env: Mapping[str, str]) -> None:
    login = found.add(guarded("login", lambda: network.login_check(client)))
    if login.status is not Status.OK:
        found.add(skipped("org", "needs the login"))
        found.add(_lock_entry_offline(found))
        found.add(skipped("manifest-key", "needs the login"))
        return
    org, registrations = network.org_check(client)
    found.add(org)
    found.add(_lock_entry(found, registrations, shown_path(config.lock, config.root)))
    name = network.adapter_name(found.adapter, found.entry)
    if registrations is None:
        found.add(skipped("manifest-key", "needs the org (see org)"))
    elif name is None:
        found.add(skipped("manifest-key", "needs a valid adapter.json (see adapter)"))
    else:
        found.add(
            guarded(
                "manifest-key", lambda: network.manifest_key_check(client, config, name, found.entry, env)
            )
        )
        if found.history is not None:
            _ask_about_history(found, client, name, config.root, found.history)


def _ask_about_history(found: _Found, client: HarmonyClient, name: str, root: Path, scan: SecretScan) -> None:
    """Replace the secrets warning by Harmony's word on the committed keys (`history.history_check`)."""
    from hatch_harmony.doctor.history import NAME, history_check

    others: tuple[str, ...] = ()
    if found.config is not None:
        others = _other_orgs(found.config, client.org_id)
    index = next(i for i, c in enumerate(found.checks) if c.name == NAME)
    found.checks[index] = guarded(NAME, lambda: history_check(client, name, root, scan, others))


def _other_orgs(config: HarmonyConfig, org_id: str) -> tuple[str, ...]:
    """The organisations the lock records on this host besides `org_id` (an unreadable lock: none)."""
    from hatch_harmony.engine.connection import lock_host
    from hatch_harmony.project.lock import read_lock

    try:
        entries = read_lock(config.lock).entries
    except HarmonyError:  # the lock-entry check reports it
        return ()
    host = lock_host(config)
    return tuple(sorted({e.org_id for e in entries if e.host == host} - {org_id}))
