"""`hatch-harmony`: the engine and the client for release pipelines and Maven builds.

Exit codes: 0 ok · 1 failure · 2 usage or configuration error · 3 network needed but
offline or no credentials. The package: `parser` (options), `inputs` (environment and
config from the flags), `commands`, `doctor_command`, `output` (lines, JSON, exit codes); this
module wires them. A command imports only what it runs: the emulator (an HTTP server) only for
`hatch-harmony emulator`, httpx only when a request is about to be sent.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence

from hatch_harmony.cli.check_secrets import cmd_check_secrets
from hatch_harmony.cli.commands import (
    cmd_delete,
    cmd_init,
    cmd_list,
    cmd_login,
    cmd_manifest,
    cmd_register,
    cmd_status,
    cmd_validate,
    confirm,
)
from hatch_harmony.cli.deploy_command import cmd_deploy
from hatch_harmony.cli.doctor_command import cmd_doctor
from hatch_harmony.cli.output import Output
from hatch_harmony.cli.parser import build_parser, parse_arguments
from hatch_harmony.errors import HarmonyError


def setup_logging(*, verbose: bool) -> None:
    """Warnings (a retry after a 503, say) as one tidy line each; with -v, our redacted request log too.

    Only `hatch_harmony` loggers go down to DEBUG: httpx and httpcore log full URLs and
    every response header verbatim (a Set-Cookie session id), so they stay at WARNING.
    """
    fmt = "%(name)s: %(message)s" if verbose else "hatch-harmony: %(message)s"
    logging.basicConfig(level=logging.WARNING, format=fmt, stream=sys.stderr)
    # Without -v our loggers inherit the root's WARNING (NOTSET), so a host process that embeds
    # `main()` (tests, a wrapper script) keeps its own level for them afterwards.
    logging.getLogger("hatch_harmony").setLevel(logging.DEBUG if verbose else logging.NOTSET)
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # The command is the first word (the only options before it, -h and --version, exit): the
    # emulator's options, and the emulator with them, are loaded only for `hatch-harmony emulator`.
    parser = build_parser(emulator=argv[:1] == ["emulator"])
    args = parse_arguments(parser, argv)
    if args.command == "emulator":
        from hatch_harmony.emulator import run

        return run(args)
    if args.command == "schema":
        from hatch_harmony.project.adapter_schema import schema_text

        sys.stdout.write(schema_text())
        return 0
    setup_logging(verbose=args.verbose)
    out = Output(args.json)
    commands: dict[str, Callable[[argparse.Namespace, Output], int]] = {
        "manifest": cmd_manifest,
        "status": cmd_status,
        "register": cmd_register,
        "list": cmd_list,
        "validate": cmd_validate,
        "delete": lambda a, o: cmd_delete(a, o, confirm),
        "login": cmd_login,
        "init": cmd_init,
        "doctor": lambda a, o: cmd_doctor(a, o, confirm),
        "deploy": cmd_deploy,
        "check-secrets": cmd_check_secrets,
    }
    try:
        return commands[args.command](args, out)
    except HarmonyError as exc:
        if args.json:
            print(json.dumps({"error": exc.message, "exitCode": exc.exit_code}, indent=2, sort_keys=True))
        print(f"hatch-harmony: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hatch-harmony: interrupted", file=sys.stderr)
        return 130


__all__ = ["build_parser", "main"]
