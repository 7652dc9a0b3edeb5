"""`hatch-harmony doctor`: read-only checks of a connector project, each ok, warning, failed or skipped.

Why a package of its own: the checks ask the modules that own each rule (config, adapter,
pipeline, destination, secret_history, the client) and add no rule of their own, so what
doctor says is what a build would do. One concept per module: `report` (a check's result,
the report, its lines, JSON and exit code), `local` (tools, settings, inputs, the
manifest's path, secrets in git), `network` (login, org, the lock's registration, the
manifest's key: login, list and validate, 3 requests), `history` (a key or secret found only in
git history: a warning, or harmless once Harmony no longer accepts the key: 1 validate per key),
`jar` (the last jar built)
and `runner` (the order, and what is skipped when an earlier check failed).
"""

from __future__ import annotations

from hatch_harmony.doctor.report import Check, Report, Status, check_lines
from hatch_harmony.doctor.runner import NETWORK_CHECKS, run_doctor

__all__ = ["NETWORK_CHECKS", "Check", "Report", "Status", "check_lines", "run_doctor"]
