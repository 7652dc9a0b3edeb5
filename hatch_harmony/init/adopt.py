"""Adopting the existing registration during init: the engine's own adoption, forbidden to register.

init does not decide anything about registrations itself: it runs `pipeline.generate`, the
step every build runs, with the ids the committed manifest ships (`shipped_ids`), so the lock
it writes holds exactly those ids, or the run stops naming the attribute that cannot belong to
the registration (README "Existing connectors"). Two things differ from a build:

* the client is wrapped so that a register request can never leave: migrating a repository
  must not create a second registration (a connector not yet registered is left to the first
  build, which registers it knowingly). The wrapper also remembers which other versions of
  the connector Harmony lists, so "not registered as 1.0.0" can say "but as 3.0.2";
* the manifest is rendered, not written: init writes it itself once .gitignore ignores it.

Without credentials, or offline, the engine's NeedsNetworkError becomes a plain "left to the
first build", not a failure: configuring the project needs no network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hatch_harmony.engine.connection import Client, default_client_factory
from hatch_harmony.engine.pipeline import generate
from hatch_harmony.errors import ConfigError, HarmonyError, NeedsNetworkError, shown_path

if TYPE_CHECKING:
    from hatch_harmony.api.protocol import Registration
    from hatch_harmony.config import HarmonyConfig


class WouldRegisterError(HarmonyError):
    """The engine found no registration to adopt and would register; init never does."""


@dataclass(frozen=True)
class Adoption:
    """What the adoption step did. `manifest` (the rendered manifest, secret inside) never shows in a repr."""

    action: str  # adopted | looked-up | offline | verified | not-registered | skipped
    requests: int
    reason: str
    connector: dict[str, str] | None = None
    activities: dict[str, int] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    lock_written: bool = False
    manifest: bytes | None = field(default=None, repr=False)


class _NeverRegisters:
    """A `connection.Client` that refuses to register and notes the other listed versions."""

    def __init__(self, inner: Client) -> None:
        self._inner = inner
        self.other_versions: list[str] = []

    @property
    def requests_made(self) -> int:
        return self._inner.requests_made

    @requests_made.setter
    def requests_made(self, value: int) -> None:
        self._inner.requests_made = value

    @property
    def org_id(self) -> str:
        return self._inner.org_id

    def find(self, name: str, version: str | None = None) -> list[Registration]:
        found = self._inner.find(name)  # the same one list request; filtered here to see other versions
        self.other_versions = sorted(
            {r.version for r in found if version is not None and r.version != version}
        )
        return [r for r in found if version is None or r.version == version]

    def register(self, name: str, version: str) -> Registration:
        raise WouldRegisterError(
            f"{name!r} {version} is not registered in org {self._inner.org_id}; init never registers"
        )

    def validate(self, name: str, key: str, secret: str) -> None:
        self._inner.validate(name, key, secret)

    def close(self) -> None:
        self._inner.close()


def _versions_hint(wrapped: list[_NeverRegisters]) -> str:
    others = wrapped[0].other_versions if wrapped else []
    if not others:
        return ""
    return (
        f" Harmony lists it with version {', '.join(others)}: if that is this connector, run init again with "
        f'--project-version {others[0]} (or add "version": "{others[0]}" to adapter.json).'
    )


def adopt(
    config: HarmonyConfig, env: Mapping[str, str], *, project_version: str | None, rewritten_template: bool
) -> Adoption:
    """Adopt (2 requests) or find the lock already complete (0); never register, never write the manifest.

    `rewritten_template`: init is replacing the template's key and secret by placeholders, so
    the engine's notice that the template holds them is not passed on.
    """
    wrapped: list[_NeverRegisters] = []

    def factory(cfg: HarmonyConfig, email: str, password: str) -> Client:
        client = _NeverRegisters(default_client_factory(cfg, email, password))
        wrapped.append(client)
        return client

    try:
        result = generate(config, env, project_version=project_version, client_factory=factory, write=False)
    except NeedsNetworkError as exc:
        return Adoption("skipped", 0, f"left to the first build: {exc.message}")
    except WouldRegisterError as exc:
        requests = wrapped[0].requests_made if wrapped else 0
        reason = f"{exc.message}: the first build registers it (3 requests).{_versions_hint(wrapped)}"
        return Adoption("not-registered", requests, reason)
    except ConfigError as exc:
        hint = _versions_hint(wrapped)
        if hint:
            raise ConfigError(exc.message + hint) from None
        raise
    outcome = result.outcome
    shown = shown_path(config.manifest_template, config.root) if config.manifest_template else ""
    notices = tuple(
        n
        for n in outcome.notices
        if not (rewritten_template and n.startswith(f"{shown} holds the connector key"))
    )
    return Adoption(
        action=outcome.action,
        requests=outcome.requests,
        reason=outcome.reason,
        connector=outcome.registration.to_public(),
        activities=dict(outcome.activity_ids),
        notices=notices,
        lock_written=outcome.lock_written,
        manifest=result.manifest,
    )


def adoption_json(adoption: Adoption) -> dict[str, Any]:
    return {
        "action": adoption.action,
        "requests": adoption.requests,
        "reason": adoption.reason,
        "connector": adoption.connector,
        "activities": adoption.activities,
        "lockWritten": adoption.lock_written,
        "notices": list(adoption.notices),
    }
