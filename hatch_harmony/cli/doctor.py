"""`hatch-harmony doctor`: the checks' report as lines or one JSON document, and its exit code.

Thin: the checks are hatch_harmony/doctor/'s; this module reads the options, runs them and
prints. Read-only, so it needs no confirmation (`--contract`, which writes to the org, does).
"""

from __future__ import annotations

import argparse

from .inputs import environ_for
from .output import Output


def cmd_doctor(args: argparse.Namespace, out: Output) -> int:
    from ..doctor import run_doctor

    env = environ_for(args)
    report = run_doctor(args.project.resolve(), env, environment=args.env)
    out.emit(report.to_json(), report.lines())
    return report.exit_code
