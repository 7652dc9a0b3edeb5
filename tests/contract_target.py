"""Where the contract tests run: the bundled emulator, or a real server named by HARMONY_CONTRACT_*.

Apart from tests/doctor/test_contract.py so that the rule "all four variables or none" is one
small function, tested on its own. These are the test suite's variables, not the build's
(HARMONY_URL etc.): a developer's build credentials must never make `pytest` write to
their org by accident. An empty value counts as unset, as for the build's variables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from hatch_harmony.api.client import Credentials, HarmonyClient
from hatch_harmony.api.protocol import Registration, same_connector
from hatch_harmony.doctor.contract import ContractReport
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator

URL_VAR = "HARMONY_CONTRACT_URL"
EMAIL_VAR = "HARMONY_CONTRACT_EMAIL"
PASSWORD_VAR = "HARMONY_CONTRACT_PASSWORD"
ORG_VAR = "HARMONY_CONTRACT_ORG_ID"
VARIABLES = (URL_VAR, EMAIL_VAR, PASSWORD_VAR, ORG_VAR)

_C = TypeVar("_C", bound=HarmonyClient)


class TargetError(Exception):
    """Some of the four variables are set, not all: say which are missing."""


@dataclass(frozen=True)
class Target:
    """A server to run the contract against, and how to log in to it."""

    url: str
    email: str
    password: str = field(repr=False)
    org_id: str
    emulator: Emulator | None = None  # None: a real server (no fault injection, real waits)

    @classmethod
    def on(cls, emulator: Emulator, *, password: str = DEFAULT_PASSWORD) -> Target:
        """The emulator's demo account in its default org."""
        return cls(emulator.url, DEFAULT_EMAIL, password, DEFAULT_ORG_ID, emulator)

    def client(self, *, password: str | None = None) -> HarmonyClient:
        """A fresh client in the target's org; on the emulator its retries do not wait."""
        return self.client_of(HarmonyClient, password=password)

    def client_of(self, cls: type[_C], *, password: str | None = None) -> _C:
        """`client()` of a subclass (a test's recording or broken client)."""
        sleep: Callable[[float], None] = time.sleep if self.emulator is None else _no_wait
        credentials = Credentials(self.email, self.password if password is None else password)
        return cls(self.url, credentials, org_id=self.org_id, sleep=sleep)


def real_target(environ: Mapping[str, str]) -> Target | None:
    """The real server the four variables name; None when none is set; TargetError when only some are."""
    values = {name: environ.get(name, "").strip() for name in VARIABLES}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise TargetError(
            f"The contract tests run against a real Harmony server only when all of {', '.join(VARIABLES)} "
            f"are set; {_listed(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
            f"Set {'it' if len(missing) == 1 else 'them'}, or unset all four to use the bundled emulator."
        )
    return Target(values[URL_VAR], values[EMAIL_VAR], environ[PASSWORD_VAR], values[ORG_VAR])


class Recording(HarmonyClient):
    """Remembers what register returned, so a test can look for the key and secret in a report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registered: list[Registration] = []

    def register(self, name: str, version: str) -> Registration:
        registration = super().register(name, version)
        self.registered.append(registration)
        return registration


def listed_ids(target: Target, name: str) -> list[str]:
    """An independent look: a new client's list read for ids only, the ids of entries with this name."""
    with target.client() as other:
        return [entry.id for entry in other.listed() if same_connector(name, None, entry.name, None)]


def assert_no_secret(report: ContractReport, registrations: list[Registration], password: str) -> None:
    for step in report.steps:
        for value in (password, *(v for r in registrations for v in (r.key, r.secret))):
            assert value not in step.detail, step.name


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _no_wait(seconds: float) -> None:
    """The emulator's injected faults need no real backoff."""
