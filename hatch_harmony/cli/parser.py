"""The argument parser: one place for every command's options (the README's usage block is its copy)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from hatch_harmony import __version__
from hatch_harmony.api.host import REGIONS

HELP_WIDTH = 100  # fixed, so `--help` (and the README's copy of it) reads the same on every terminal


def formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=HELP_WIDTH, max_help_position=32)


def common_options(*, environments: bool = True) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument(
        "--project", metavar="DIR", type=Path, default=Path(), help="project directory (default: .)"
    )
    if environments:  # not for `init`, which writes the base table
        group.add_argument(
            "--env", metavar="NAME", help="environment from the `environments` table (or HARMONY_ENV)"
        )
    where = group.add_mutually_exclusive_group()
    where.add_argument("--region", choices=tuple(REGIONS), help="Harmony region (or HARMONY_REGION)")
    where.add_argument("--url", metavar="URL", help="Harmony base URL, e.g. the emulator's (or HARMONY_URL)")
    group.add_argument(
        "--org-id", metavar="ID", help="organisation id (or HARMONY_ORG_ID; default: the login's)"
    )
    group.add_argument(
        "--json", action="store_true", help="print one JSON document (stable shapes, see README)"
    )
    group.add_argument(
        "-v", "--verbose", action="store_true", help="log each request (secrets redacted) on stderr"
    )
    return common


def build_parser(*, emulator: bool = True) -> argparse.ArgumentParser:
    """Every command and its options; `emulator=False` leaves out the emulator's options.

    They are the emulator package's (`python -m hatch_harmony.emulator` takes the same), and
    importing it loads a whole HTTP server: `main` asks for them only when the command is
    `emulator`, so the other commands import only what they run. The command is listed either way.
    """
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="hatch-harmony",
        description="Register Jitterbit Harmony custom connectors and write their MANIFEST.MF.",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"hatch-harmony {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, parents=[common], help=help_text, description=help_text, formatter_class=formatter
        )

    manifest = add("manifest", "regenerate MANIFEST.MF, registering only when needed")
    manifest.add_argument(
        "--output", metavar="PATH", help="write here instead of the configured path; - for stdout"
    )
    manifest.add_argument(
        "--check", action="store_true", help="exit 1 if the file on disk is out of date; write nothing"
    )
    manifest.add_argument(
        "--show-secrets", action="store_true", help="print key and secret with --output - (masked otherwise)"
    )
    add("status", "what the lock and the manifest hold, and whether a build would need Harmony")
    add("register", "register (or adopt) the connector when needed and record it in the lock")
    add("list", "list the connectors registered in the organisation (no secrets)")
    add("validate", "ask Harmony whether the connector key and secret are valid")
    delete = add("delete", "delete the connector's registration and/or its cached UI payload")
    delete.add_argument(
        "--registration", action="store_true", help="delete the registration (and its lock entry)"
    )
    delete.add_argument("--payload", action="store_true", help="delete the cached adapter.json payload")
    delete.add_argument("--id", metavar="CONNECTOR_ID", help="connector id (default: the one in the lock)")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add("login", "check the credentials and list the organisations available; stores nothing")
    doctor = add(
        "doctor", "check the setup: tools, settings, secrets in git, the login, the registration, the jar"
    )
    doctor.add_argument(
        "--contract",
        action="store_true",
        help="prove the API instead: register, list, validate and delete a throwaway connector in the org",
    )
    doctor.add_argument("--yes", action="store_true", help="with --contract: do not ask for confirmation")
    doctor.add_argument(
        "--strict", action="store_true", help="exit 1 on warnings too (a CI gate), not only on failures"
    )
    add_deploy(add("deploy", "copy the environment's jar into the agents' connector folders (local or ssh)"))
    add_init(sub)
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of adapter.json (for editors and CI)",
        description="Print the JSON Schema of adapter.json that hatch-harmony checks it against.",
        formatter_class=formatter,
    )
    schema.add_argument("which", choices=("adapter",), help="the file whose schema to print")
    from hatch_harmony.cli import check_secrets

    check_secrets.add_parser(sub, formatter)
    emulator_command = sub.add_parser(
        "emulator",
        help="run the local Connector Manager API emulator (not Harmony)",
        description="Run the local Connector Manager API emulator (a stand-in for Harmony: demos, tests).",
        formatter_class=formatter,
    )
    if emulator:
        from hatch_harmony.emulator import add_arguments

        add_arguments(emulator_command)
    return parser


def add_deploy(deploy: argparse.ArgumentParser) -> None:
    deploy.add_argument(
        "--to",
        metavar="DEST",
        action="append",
        help="a folder or ssh://[user@]host[:port]/path, instead of the configured `deploy` (repeatable)",
    )
    deploy.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    deploy.add_argument("--force", action="store_true", help="replace a jar of the same Version")
    deploy.add_argument("--restart", action="store_true", help="run `restart-command` after the copy")
    deploy.add_argument(
        "--rollback", action="store_true", help="put the retired jar back and retire the current one"
    )
    deploy.add_argument(
        "--watch",
        action="store_true",
        help="the development loop: rebuild the jar (development Version) and deploy it on every change",
    )


def add_init(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "set up hatch-harmony in an existing connector repository (or a new one with --new)"
    init = sub.add_parser(
        "init",
        parents=[common_options(environments=False)],
        help=text,
        description=text + ". Whatever it cannot decide it asks for with the options below.",
        formatter_class=formatter,
    )
    init.add_argument("--new", metavar="NAME", help="scaffold a connector project NAME in an empty folder")
    init.add_argument(
        "--add-activity", metavar="KEY", help="add activity KEY to adapter.json and its @Activity class"
    )
    init.add_argument(
        "--sdk-stand-in", action="store_true", help="compile the SDK stand-in jar into lib/ (needs javac)"
    )
    init.add_argument("--dry-run", action="store_true", help="print the plan; change no file, send nothing")
    init.add_argument("--offline", action="store_true", help="do not adopt the registration now (0 requests)")
    init.add_argument("--adapter", metavar="PATH", help="the connector's adapter.json")
    init.add_argument("--manifest-template", metavar="PATH", help="the committed MANIFEST.MF to keep")
    init.add_argument("--classes", metavar="DIR", help="the compiled classes folder the jar packs")
    init.add_argument("--lib", metavar="DIR", help="a folder whose jars the jar bundles under lib/")
    init.add_argument("--project-name", metavar="NAME", help="[project] name (default: pom artifactId)")
    init.add_argument("--project-version", metavar="VERSION", help="[project] version (default: pom version)")


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parser.parse_args`, with a did-you-mean for an unknown option (`--orgid`: "--org-id").

    argparse reports a subcommand's unknown options from the top-level parser, which does not
    know the subcommand's options; this asks the subcommand's parser for the close match, the
    way the configuration errors suggest the key meant (config's `did_you_mean`).
    """
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        hint = _suggestion(parser, args, unknown)
        parser.error(f"unrecognized arguments: {' '.join(unknown)}" + (f".{hint}" if hint else ""))
    return args


def _suggestion(parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]) -> str:
    from hatch_harmony.config import did_you_mean

    command = getattr(args, "command", None)
    chosen = parser
    for action in parser._actions:  # argparse keeps its subcommands here and nowhere public
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen = action.choices[command]
    known = tuple(option for option in chosen._option_string_actions if option.startswith("--"))
    hints = [did_you_mean(token.split("=", 1)[0], known) for token in unknown if token.startswith("--")]
    return "".join(hint for hint in hints if hint)
