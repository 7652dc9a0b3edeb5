"""`hatch-harmony doctor` (and `doctor --contract`): reports as lines or one JSON document, exit codes.

Thin: the checks are hatch_harmony/doctor/'s and the contract is contract.py's; this module
reads the options, runs them and prints. Plain `doctor` only reads, so it asks nothing;
`--contract` registers and deletes a throwaway connector in the org, so it asks first (or
takes `--yes`), like `delete`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from hatch_harmony.cli.inputs import bare_config, config_for, environ_for
from hatch_harmony.cli.output import EXIT_FAILURE, EXIT_OK, Output
from hatch_harmony.engine.inputs import client_for
from hatch_harmony.errors import ConfigError
from hatch_harmony.vocabulary import REGION_VAR, URL_VAR

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.doctor import Check
    from hatch_harmony.doctor.contract import ContractReport


def cmd_doctor(args: argparse.Namespace, out: Output, confirm: Callable[[str], bool]) -> int:
    from hatch_harmony.doctor import run_doctor

    if args.strict and args.contract:
        raise ConfigError("--strict is for the checks; --contract passes or fails as it is.")
    if args.contract:
        return cmd_contract(args, out, confirm)
    if args.yes:
        raise ConfigError("--yes confirms --contract; plain `doctor` only reads and asks nothing.")
    env = environ_for(args)
    report = replace(run_doctor(args.project.resolve(), env, environment=args.env), strict=args.strict)
    out.emit(report.to_json(), report.lines())
    return report.exit_code


def cmd_contract(args: argparse.Namespace, out: Output, confirm: Callable[[str], bool]) -> int:
    """Prove the API with a throwaway registration; exit 0 when every step passed and nothing is left."""
    from hatch_harmony.doctor import check_lines
    from hatch_harmony.doctor.contract import CONTRACT_PREFIX, run_contract

    env = environ_for(args)
    config = _host_config(args, env)
    with client_for(config, env) as client:  # no credentials: exit 3 before any question or request
        org = config.org_id or "the login's default org"
        question = (
            f"Register a throwaway connector {CONTRACT_PREFIX}<random> in org {org} on {client.host}, "
            "then delete it? [y/N] "
        )
        if not args.yes and not confirm(question):
            out.emit({"cancelled": True, "requests": 0}, ["cancelled; nothing registered"])
            return EXIT_FAILURE
        report = run_contract(client)
    checks = contract_checks(report)
    code = EXIT_OK if report.ok else EXIT_FAILURE
    data = {
        "connectorName": report.connector_name,
        "connectorId": report.connector_id,
        "checks": [c.to_json() for c in checks],
        "leftovers": list(report.leftovers),
        "requests": report.requests,
        "exitCode": code,
    }
    failed = sum(1 for step in report.steps if not step.ok)
    summary = (
        f"contract: {len(report.steps) - failed} ok, {failed} failed, {len(report.leftovers)} left behind; "
        f"{report.requests} request{'s' if report.requests != 1 else ''}"
    )
    out.emit(data, [*check_lines(checks), summary])
    return code


def contract_checks(report: ContractReport) -> list[Check]:
    """The contract's steps in the checks' layout; each leftover is a failed line naming its id."""
    from hatch_harmony.doctor import Check, Status

    checks = [Check(s.name, Status.OK if s.ok else Status.FAILED, s.detail) for s in report.steps]
    checks += [
        Check(
            "leftover",
            Status.FAILED,
            f"connector {connector_id} is still registered",
            f"Delete it: `hatch-harmony delete --registration --payload --id {connector_id} --yes` "
            "(with the same --url/--region and --org-id).",
        )
        for connector_id in report.leftovers
    ]
    return checks


def _host_config(args: argparse.Namespace, env: Mapping[str, str]) -> HarmonyConfig:
    """The project's config; outside a connector project, the host options alone (as `login` does)."""
    try:
        return config_for(args, env)
    except ConfigError:
        if args.url or args.region or env.get(URL_VAR) or env.get(REGION_VAR):
            return bare_config(args, env)
        raise
