"""Section 3: requests per row of DESIGN.md's table, counted by the emulator, through the real CLI.

Each row sets up the project the way the situation describes it, resets the emulator's
counters, runs `python -m hatch_harmony manifest --project P --json` in a fresh process and
reads the emulator's per-route counters. The rows run in order on one project and one
emulator, so they also show the table's promise "never two registrations": the emulator
holds exactly one registration at the end.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.harness import clean_env, run_measured
from benchmarks.projects import copy_example
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator

MANIFEST = Path("build/harmony/MANIFEST.MF")
LOCK = Path("harmony.lock")


@dataclass(frozen=True)
class Row:
    situation: str
    expected: dict[str, int]  # route -> requests
    expected_exit: int
    expected_action: str | None
    prepare: Callable[[Path], None]
    env: Callable[[Emulator], dict[str, str]]
    #: files that must not exist afterwards ("nothing written")
    absent_after: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RowResult:
    situation: str
    expected: dict[str, int]
    counted: dict[str, int]
    exit_code: int
    expected_exit: int
    action: str
    expected_action: str | None
    nothing_written: bool
    reported: int | None  # the CLI's own `requests` figure (None on an error)
    message: str  # the error the user sees, for the rows that must fail

    @property
    def ok(self) -> bool:
        return (
            self.counted == self.expected
            and self.exit_code == self.expected_exit
            and (self.expected_action is None or self.action == self.expected_action)
            and self.nothing_written
            and (self.reported is None or self.reported == sum(self.counted.values()))
        )


@dataclass(frozen=True)
class RequestsResult:
    rows: tuple[RowResult, ...]
    registrations_at_end: int
    #: the emulator's keys and secrets, so run.py can check none leaked into RESULTS.md
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows) and self.registrations_at_end == 1


def _nothing(project: Path) -> None:
    return None


def _remove(*paths: Path) -> Callable[[Path], None]:
    def prepare(project: Path) -> None:
        for path in paths:
            (project / path).unlink(missing_ok=True)

    return prepare


def _login(emulator: Emulator, **extra: str) -> dict[str, str]:
    return {
        "HARMONY_URL": emulator.url,
        "HARMONY_EMAIL": DEFAULT_EMAIL,
        "HARMONY_PASSWORD": DEFAULT_PASSWORD,
        **extra,
    }


def _key_pair(emulator: Emulator) -> dict[str, str]:
    registration = emulator.registrations(DEFAULT_ORG_ID)[0]
    return {
        "HARMONY_URL": emulator.url,
        "HARMONY_CONNECTOR_KEY": registration.key,
        "HARMONY_CONNECTOR_SECRET": registration.secret,
    }


ROWS: tuple[Row, ...] = (
    Row(
        "nothing registered",
        {"login": 1, "list": 1, "register": 1},
        0,
        "registered",
        _nothing,
        _login,
    ),
    Row(
        "lock entry + key/secret in the generated manifest, adapter.json unchanged",
        {},
        0,
        "offline",
        _nothing,
        _login,
    ),
    Row(
        "lock entry + key/secret from HARMONY_CONNECTOR_KEY/SECRET (no manifest, no login)",
        {},
        0,
        "offline",
        _remove(MANIFEST),
        _key_pair,
    ),
    Row(
        "same, with verification asked for (HARMONY_VERIFY=1)",
        {"login": 1, "validate": 1},
        0,
        "verified",
        _nothing,
        lambda emulator: _login(emulator, HARMONY_VERIFY="1"),
    ),
    Row(
        "lock entry, no key/secret at hand (fresh CI checkout)",
        {"login": 1, "list": 1},
        0,
        "looked-up",
        _remove(MANIFEST),
        _login,
    ),
    Row(
        "no lock entry, connector already registered in the org",
        {"login": 1, "list": 1},
        0,
        "adopted",
        _remove(MANIFEST, LOCK),
        _login,
    ),
    Row(
        "registration needed, no credentials",
        {},
        3,
        None,
        _remove(MANIFEST, LOCK),
        lambda emulator: {"HARMONY_URL": emulator.url},
        absent_after=(MANIFEST, LOCK),
    ),
    Row(
        "registration needed, offline mode (HARMONY_OFFLINE=1)",
        {},
        3,
        None,
        _remove(MANIFEST, LOCK),
        lambda emulator: _login(emulator, HARMONY_OFFLINE="1"),
        absent_after=(MANIFEST, LOCK),
    ),
)


def measure(workdir: Path, pycache: Path) -> RequestsResult:
    project = copy_example(workdir / "example-requests")
    command = [sys.executable, "-m", "hatch_harmony", "manifest", "--project", str(project), "--json"]
    results = []
    with Emulator(test_controls=True) as emulator:
        for row in ROWS:
            row.prepare(project)
            env = clean_env(pycache, **row.env(emulator))
            emulator.reset_counts()
            code, measured = run_measured(command, project, env, check=False)
            counted = {route: n for route, n in emulator.counts().items() if n}
            try:
                reply = json.loads(measured.stdout)
            except ValueError:
                reply = {"action": "(no JSON)"}
            reported = reply.get("requests")
            results.append(
                RowResult(
                    situation=row.situation,
                    expected=row.expected,
                    counted=counted,
                    exit_code=code,
                    expected_exit=row.expected_exit,
                    action=str(reply.get("action", "error")),
                    expected_action=row.expected_action,
                    nothing_written=not any((project / p).exists() for p in row.absent_after),
                    reported=reported if isinstance(reported, int) else None,
                    message=str(reply.get("error", "")),
                )
            )
        registered = emulator.registrations(DEFAULT_ORG_ID)
    secrets = tuple(value for r in registered for value in (r.key, r.secret))
    return RequestsResult(tuple(results), len(registered), secrets)
