"""What `hatch-harmony doctor` reports: one result per check, and the whole report.

Kept apart from the checks so that each check stays a small function returning a `Check`
(tests call them directly), and so that the human lines, the `--json` document and the exit
code are decided in one place. A check's `detail` and `fix` never carry a secret: the checks
only ever name files, keys, variables, ids and commits.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The CLI's exit codes (cli/output.py holds the same numbers; the doctor package does not import the CLI).
EXIT_OK, EXIT_FAILURE = 0, 1
_COLUMN = 8  # "warning " is the widest status word plus one space


class Status(enum.Enum):
    """How a check came out; the value is what `--json` and the human lines say."""

    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One check's result: what was checked, what was found, and for a non-ok one what to do.

    `detail` is one line; `fix` may hold several (a config with several problems lists each).
    """

    name: str
    status: Status
    detail: str = ""
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail, "fix": self.fix}


def ok(name: str, detail: str = "") -> Check:
    return Check(name, Status.OK, detail)


def warning(name: str, detail: str, fix: str) -> Check:
    return Check(name, Status.WARNING, detail, fix)


def failed(name: str, detail: str, fix: str) -> Check:
    return Check(name, Status.FAILED, detail, fix)


def skipped(name: str, reason: str) -> Check:
    return Check(name, Status.SKIPPED, reason)


@dataclass(frozen=True)
class Report:
    """Every check in the order it ran, and the requests sent to Harmony (all of them reads)."""

    checks: tuple[Check, ...]
    requests: int
    strict: bool = False  # `doctor --strict`: a warning fails too (a CI gate)

    def count(self, status: Status) -> int:
        return sum(1 for c in self.checks if c.status is status)

    @property
    def exit_code(self) -> int:
        """1 when a check failed (or, with `strict`, warned); skipped checks leave it 0."""
        warned = self.strict and self.count(Status.WARNING)
        return EXIT_FAILURE if self.count(Status.FAILED) or warned else EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "checks": [c.to_json() for c in self.checks],
            "requests": self.requests,
            "exitCode": self.exit_code,
        }

    def lines(self) -> list[str]:
        return [*check_lines(self.checks), self.summary()]

    def summary(self) -> str:
        counts: Mapping[str, int] = {
            "ok": self.count(Status.OK),
            "warning": self.count(Status.WARNING),
            "failed": self.count(Status.FAILED),
            "skipped": self.count(Status.SKIPPED),
        }
        warnings = f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}"
        requests = f"{self.requests} request{'s' if self.requests != 1 else ''}"
        done = f"{counts['ok']} ok, {warnings}, {counts['failed']} failed, {counts['skipped']} skipped"
        return f"{done}; {requests}"


def check_lines(checks: Sequence[Check]) -> list[str]:
    """`ok      config`, `failed  login: …` and each non-ok check's fix indented below it."""
    lines = []
    for check in checks:
        head = f"{check.status.value:<{_COLUMN}}{check.name}"
        lines.append(f"{head}: {check.detail}" if check.detail else head)
        if check.fix and check.status in (Status.WARNING, Status.FAILED):
            lines += [f"{' ' * _COLUMN}{line}" for line in check.fix.splitlines() if line.strip()]
    return lines
