"""`hatch-harmony`: the engine and the client for release pipelines and Maven builds.

Thin on purpose: every decision is the engine's (`pipeline`, `registration`), every
request the client's. This module parses arguments, turns results into lines for people
or stable JSON for machines, and maps errors to exit codes:

    0 ok · 1 failure · 2 usage or configuration error · 3 network needed but offline or no credentials

Secrets: nothing printed here carries a key, secret, password or token, except the
manifest written to stdout with `--show-secrets` (without it, they are masked).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Union

from . import __version__
from .errors import ConfigError, HarmonyError, shown_path
from .vocabulary import ORG_ID_VAR, REGION_VAR, URL_VAR

if TYPE_CHECKING:
    from .adapter import Adapter
    from .client import HarmonyClient
    from .config import HarmonyConfig
    from .decision import KeyPair
    from .lock import LockEntry
    from .protocol import Registration
    from .registration import Outcome
    from .shipped_ids import ShippedIds

#: What `--json` prints: read-only shapes (Mapping, Sequence), so dict[str, int] and the like fit.
Json = Union[str, int, float, bool, None, Sequence["Json"], Mapping[str, "Json"]]  # noqa: UP007

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_NEEDS_NETWORK = 0, 1, 2, 3
HELP_WIDTH = 100  # fixed, so `--help` (and the README's copy of it) reads the same on every terminal
MASK = "********"


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=HELP_WIDTH, max_help_position=32)


class Output:
    """Where results go: human lines on stdout, or one JSON document with --json."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Mapping[str, Json], lines: Sequence[str]) -> None:
        if self.as_json:
            print(json.dumps(data, indent=2, sort_keys=True))
        else:
            for line in lines:
                print(line)


def _common(*, environments: bool = True) -> argparse.ArgumentParser:
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
    where.add_argument("--region", choices=("na", "emea", "apac"), help="Harmony region (or HARMONY_REGION)")
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


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="hatch-harmony",
        description="Register Jitterbit Harmony custom connectors and write their MANIFEST.MF.",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"hatch-harmony {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, parents=[common], help=help_text, description=help_text, formatter_class=_formatter
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
    _add_init(sub)
    emulator = sub.add_parser(
        "emulator",
        help="run the local Connector Manager API emulator (not Harmony)",
        description="Run the local Connector Manager API emulator (a stand-in for Harmony: demos, tests).",
        formatter_class=_formatter,
    )
    from .emulator import add_arguments

    add_arguments(emulator)
    return parser


def _add_init(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "set up hatch-harmony in an existing connector repository (or a new one with --new)"
    init = sub.add_parser(
        "init",
        parents=[_common(environments=False)],
        help=text,
        description=text + ". Whatever it cannot decide it asks for with the options below.",
        formatter_class=_formatter,
    )
    init.add_argument("--new", metavar="NAME", help="scaffold a connector project NAME in an empty folder")
    init.add_argument("--dry-run", action="store_true", help="print the plan; change no file, send nothing")
    init.add_argument("--offline", action="store_true", help="do not adopt the registration now (0 requests)")
    init.add_argument("--adapter", metavar="PATH", help="the connector's adapter.json")
    init.add_argument("--manifest-template", metavar="PATH", help="the committed MANIFEST.MF to keep")
    init.add_argument("--classes", metavar="DIR", help="the compiled classes folder the jar packs")
    init.add_argument("--lib", metavar="DIR", help="a folder whose jars the jar bundles under lib/")
    init.add_argument("--project-name", metavar="NAME", help="[project] name (default: pom artifactId)")
    init.add_argument("--project-version", metavar="VERSION", help="[project] version (default: pom version)")


# --- shared steps -------------------------------------------------------------------------------


def _environ(args: argparse.Namespace) -> dict[str, str]:
    """The environment with command-line overrides applied (flags beat variables).

    A flag's value is checked here, with config's own rule, so that an error names the
    option the user typed (`--url`), not the variable it is passed on as.
    """
    from .config import url_problem

    if args.url and (problem := url_problem(args.url)):
        raise ConfigError(f"--url: {problem}")
    env = dict(os.environ)
    if args.region:
        env.pop(URL_VAR, None)
        env[REGION_VAR] = args.region
    if args.url:
        env.pop(REGION_VAR, None)
        env[URL_VAR] = args.url
    if args.org_id:
        env[ORG_ID_VAR] = args.org_id
    return env


def _config(args: argparse.Namespace, env: Mapping[str, str]) -> HarmonyConfig:
    from .config import load_config, read_project_table

    root = args.project.resolve()
    table, table_path = read_project_table(root)
    return load_config(table, root, env, table_path=table_path, environment=args.env)


def _project_version(root: Path) -> str | None:
    """[project].version when static; None otherwise (adapter.json's version is preferred anyway)."""
    from .long_integers import load_toml

    try:
        data = load_toml((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable or invalid: the config step reports it
        return None
    version = data.get("project", {}).get("version")
    return version if isinstance(version, str) else None


def _adapter(config: HarmonyConfig) -> Adapter:
    from .adapter import find_adapter, load_adapter

    return load_adapter(find_adapter(config.root, config.adapter))


def _client(config: HarmonyConfig, env: Mapping[str, str]) -> HarmonyClient:
    """The full client (list, delete, login), through the engine's checks for offline and credentials."""
    from .client import HarmonyClient
    from .connection import open_client

    client = open_client(config, env, "This command talks to Harmony")
    assert isinstance(client, HarmonyClient)  # the default factory's client
    return client


def _lock_entry(config: HarmonyConfig, adapter: Adapter, env: Mapping[str, str]) -> LockEntry | None:
    from .decision import plan
    from .pipeline import connector_version

    return plan(config, adapter, env, version=connector_version(adapter, _project_version(config.root))).entry


@dataclass(frozen=True)
class _EngineInputs:
    """What `status` and `register` hand the engine: the version, the last manifest's key and endpoint."""

    version: str
    manifest_keys: KeyPair | None
    manifest_endpoint: str | None


def _engine_inputs(args: argparse.Namespace) -> tuple[dict[str, str], HarmonyConfig, Adapter, _EngineInputs]:
    """Environment, config, adapter and the engine's inputs."""
    from .pipeline import connector_version, previous_values

    env = _environ(args)
    config = _config(args, env)
    adapter = _adapter(config)
    keys, endpoint = previous_values(config.manifest, shown_path(config.manifest, config.root))
    version = connector_version(adapter, _project_version(config.root))
    return env, config, adapter, _EngineInputs(version, keys, endpoint)


def _shipped(config: HarmonyConfig) -> tuple[ShippedIds, ...]:
    """The ids the template and the last generated manifest ship: `register` keeps them as builds do."""
    from .pipeline import load_template, shipped_ids

    return shipped_ids(config, load_template(config))


def _connector_json(reg: Registration) -> dict[str, str]:
    return {
        "id": reg.id,
        "name": reg.name,
        "version": reg.version,
        "endpointEntityId": reg.endpoint_entity_id,
        "functionEntityStartId": reg.function_entity_start_id,
        "functionEntityEndId": reg.function_entity_end_id,
    }


def _entry_json(entry: LockEntry) -> dict[str, Json]:
    return {
        "host": entry.host,
        "orgId": entry.org_id,
        "id": entry.connector_id,
        "name": entry.name,
        "version": entry.version,
        "endpointEntityId": entry.endpoint_entity_id,
        "functionEntityStartId": entry.function_entity_start_id,
        "functionEntityEndId": entry.function_entity_end_id,
        "activities": dict(entry.activities),
        "reserved": dict(entry.reserved),
    }


# --- commands -----------------------------------------------------------------------------------


def cmd_manifest(args: argparse.Namespace, out: Output) -> int:
    from . import manifest as mf
    from . import vocabulary as words
    from .pipeline import SECRET_FILE_MODE, generate

    env = _environ(args)
    config = _config(args, env)
    target = configured = config.manifest
    if args.output and args.output != "-":
        target = Path(args.output).resolve()
        config = replace(config, manifest=target)
    to_stdout = args.output == "-"
    result = generate(
        config,
        env,
        project_version=_project_version(config.root),
        write=not (to_stdout or args.check),
        read_only=args.check,
        previous_path=None if target == configured else configured,
    )
    outcome = result.outcome
    data: dict[str, Json] = {
        "path": None if to_stdout else str(target),
        "action": outcome.action,
        "reason": outcome.reason,
        "requests": outcome.requests,
        "connector": _connector_json(outcome.registration),
        "activities": dict(outcome.activity_ids),
        "notices": list(outcome.notices),
    }
    if args.check:
        try:
            current = target.read_bytes()
        except FileNotFoundError:
            current = None
        fresh = current == result.manifest
        data["upToDate"] = fresh
        state = "up to date" if fresh else ("missing" if current is None else "out of date")
        lines = [f"{shown_path(target, config.root)}: {state}"]
        if not fresh:
            lines.append("Run `hatch-harmony manifest` (or a build) to regenerate it.")
        out.emit(data, lines)
        return EXIT_OK if fresh else EXIT_FAILURE
    if to_stdout:
        text = result.manifest
        if not args.show_secrets:
            parsed = mf.Manifest.parse(text, source="generated manifest")
            for name in (words.KEY, words.SECRET):
                if parsed.get(name):
                    parsed.main.set(name, MASK)
            text = parsed.to_bytes()
            print("hatch-harmony: key and secret masked; add --show-secrets to print them", file=sys.stderr)
        sys.stdout.flush()
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
        return EXIT_OK
    data["written"] = result.written
    data["mode"] = oct(SECRET_FILE_MODE)
    state = "written" if result.written else "already up to date"
    out.emit(data, [*_outcome_lines(outcome), f"{shown_path(target, config.root)}: {state}"])
    return EXIT_OK


def _outcome_lines(outcome: Outcome) -> list[str]:
    reg = outcome.registration
    lines = [
        f"{outcome.action}: {reg.name!r} {reg.version}, connector id {reg.id or '?'} — {outcome.reason}",
        f"requests: {outcome.requests}",
        f"endpoint entity id: {reg.endpoint_entity_id}; range {reg.function_entity_start_id}-"
        f"{reg.function_entity_end_id}",
    ]
    lines += [f"activity {name}: {value}" for name, value in outcome.activity_ids.items()]
    lines += [f"note: {notice}" for notice in outcome.notices]
    return lines


def cmd_status(args: argparse.Namespace, out: Output) -> int:
    from . import manifest as mf
    from .decision import plan

    env, config, adapter, inputs = _engine_inputs(args)
    keys, endpoint = inputs.manifest_keys, inputs.manifest_endpoint
    decided = plan(
        config, adapter, env, version=inputs.version, manifest_keys=keys, manifest_endpoint=endpoint
    )
    exists = config.manifest.exists()
    manifest_info: dict[str, Json] = {"path": str(config.manifest), "exists": exists}
    if exists:
        try:
            parsed = mf.Manifest.parse(config.manifest.read_bytes(), source=str(config.manifest))
            manifest_info["hasKey"] = keys is not None
            manifest_info["endpointEntityId"] = endpoint
            manifest_info["activities"] = {
                name: int(value) if value.isascii() and value.isdigit() else None
                for name, value in mf.activity_values(parsed).items()
            }
        except HarmonyError as exc:
            manifest_info["error"] = exc.message
    data: dict[str, Json] = {
        "adapter": {"path": str(adapter.path), "name": adapter.name, "version": adapter.version},
        "lock": None if decided.entry is None else _entry_json(decided.entry),
        "manifest": manifest_info,
        "next": {
            "action": decided.action,
            "requests": decided.requests,
            "maxRequests": decided.max_requests,
            "reason": decided.reason,
        },
        "environment": config.environment,
    }
    lines = [
        f"adapter: {shown_path(adapter.path, config.root)} — "
        f"{adapter.name!r} {adapter.version or '(no version)'}"
    ]
    if decided.entry is None:
        lines.append(f"lock: {shown_path(config.lock, config.root)} has no registration for this connector")
    else:
        e = decided.entry
        lines.append(
            f"lock: connector id {e.connector_id} in org {e.org_id} on {e.host}, "
            f"endpoint {e.endpoint_entity_id}, range {e.function_entity_start_id}-{e.function_entity_end_id}"
        )
        lines += [f"  activity {name}: {value}" for name, value in e.activities.items()]
        lines += [f"  reserved (removed) {name}: {value}" for name, value in e.reserved.items()]
    state = "missing" if not exists else ("holds a key and secret" if keys else "holds no usable key")
    lines.append(f"manifest: {shown_path(config.manifest, config.root)} {state}")
    count = f"{decided.requests}" + (
        f"-{decided.max_requests}" if decided.max_requests > decided.requests else ""
    )
    lines.append(f"next build: {decided.action} ({count} requests) — {decided.reason}")
    out.emit(data, lines)
    return EXIT_OK


def cmd_register(args: argparse.Namespace, out: Output) -> int:
    from .registration import ensure_registration

    env, config, adapter, inputs = _engine_inputs(args)
    outcome = ensure_registration(
        config,
        adapter,
        env,
        version=inputs.version,
        manifest_keys=inputs.manifest_keys,
        manifest_endpoint=inputs.manifest_endpoint,
        shipped=_shipped(config),
    )
    data: dict[str, Json] = {
        "action": outcome.action,
        "reason": outcome.reason,
        "requests": outcome.requests,
        "connector": _connector_json(outcome.registration),
        "activities": dict(outcome.activity_ids),
        "lock": str(config.lock),
        "lockWritten": outcome.lock_written,
        "notices": list(outcome.notices),
    }
    out.emit(data, [*_outcome_lines(outcome), f"lock: {shown_path(config.lock, config.root)}"])
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: Output) -> int:
    env = _environ(args)
    config = _config(args, env)
    with _client(config, env) as client:
        connectors = client.list_connectors()
        org_id = client.org_id
    data: dict[str, Json] = {"orgId": org_id, "connectors": [_connector_json(r) for r in connectors]}
    lines = [f"org {org_id}: {len(connectors)} registered connector{'s' if len(connectors) != 1 else ''}"]
    lines += [
        f"  {r.id}  {r.name} {r.version}  endpoint {r.endpoint_entity_id}  "
        f"range {r.function_entity_start_id}-{r.function_entity_end_id}"
        for r in connectors
    ]
    out.emit(data, lines)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, out: Output) -> int:
    from .connection import for_entry
    from .decision import keypair_from_env
    from .pipeline import previous_values

    env = _environ(args)
    config = _config(args, env)
    adapter = _adapter(config)
    keys = keypair_from_env(env) or previous_values(config.manifest)[0]
    if keys is None:
        raise ConfigError(
            "No key and secret to validate: set HARMONY_CONNECTOR_KEY and HARMONY_CONNECTOR_SECRET, "
            f"or generate the manifest first ({shown_path(config.manifest, config.root)})."
        )
    entry = _lock_entry(config, adapter, env)
    with _client(for_entry(config, entry), env) as client:
        client.validate(entry.name if entry else adapter.name, keys.key, keys.secret)
    out.emit(
        {"valid": True, "name": adapter.name, "source": keys.source},
        [f"Harmony accepts the key and secret of {adapter.name!r} (from {keys.source})"],
    )
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, out: Output, confirm: Callable[[str], bool]) -> int:
    from .connection import for_entry
    from .registration import forget

    if not (args.registration or args.payload):
        raise ConfigError("Say what to delete: --registration, --payload, or both.")
    env = _environ(args)
    config = _config(args, env)
    adapter = _adapter(config)
    entry = _lock_entry(config, adapter, env)
    connector_id = args.id or (entry.connector_id if entry else None)
    if not connector_id:
        raise ConfigError(
            f"{shown_path(config.lock, config.root)} has no registration of {adapter.name!r}: "
            "pass --id CONNECTOR_ID (see `hatch-harmony list`)."
        )
    what = " and ".join(w for w, on in (("registration", args.registration), ("payload", args.payload)) if on)
    question = f"Delete the {what} of connector {connector_id} ({adapter.name!r})? [y/N] "
    if not args.yes and not confirm(question):
        out.emit({"deleted": {}, "id": connector_id, "cancelled": True}, ["cancelled; nothing deleted"])
        return EXIT_FAILURE
    deleted = {"payload": False, "registration": False}
    recorded = entry if entry is not None and entry.connector_id == connector_id else None
    with _client(for_entry(config, recorded), env) as client:
        # The payload first: it belongs to the registration, and deleting the registration first
        # would leave no id to delete the payload by.
        if args.payload:
            client.delete_payload(connector_id)
            deleted["payload"] = True
        if args.registration:
            client.delete_registration(connector_id)
            deleted["registration"] = True
    lines = [f"deleted the {what} of connector {connector_id}"]
    if args.registration and recorded is not None and forget(config, recorded):
        lines.append(
            f"removed its entry from {shown_path(config.lock, config.root)}; the next build registers it anew"
        )
    out.emit({"deleted": deleted, "id": connector_id}, lines)
    return EXIT_OK


def cmd_login(args: argparse.Namespace, out: Output) -> int:
    env = _environ(args)
    try:
        config = _config(args, env)
    except ConfigError:
        if args.url or args.region or env.get(URL_VAR) or env.get(REGION_VAR):
            config = _bare_config(args, env)  # `login` works outside a connector project too
        else:
            raise
    with _client(config, env) as client:
        session = client.login()
    orgs = [{"id": o.id, "name": o.name, "zoneUrl": o.zone_url} for o in session.orgs]
    data: dict[str, Json] = {
        "defaultOrgId": session.default_org_id,
        "orgs": orgs,
        "sessionTimeoutSeconds": session.timeout_seconds,
        "serverUrl": session.server_url,
    }
    # Org names and URLs are server text: the client scrubbed them (secrets masked, one line, capped).
    default = session.default_org_id or "none given (the configured org id is used)"
    lines = [f"logged in; default org {default}; session lasts {session.timeout_seconds} s"]
    lines += [f"  org {o['id']}: {o['name']}" for o in orgs]
    out.emit(data, lines)
    return EXIT_OK


def cmd_init(args: argparse.Namespace, out: Output) -> int:
    from .init import Choices, run

    options = ("adapter", "manifest_template", "classes", "lib", "project_name", "project_version")
    if args.new is not None and any(getattr(args, o) for o in (*options, "url", "region", "org_id")):
        raise ConfigError("--new makes a new project: it takes only --project, --dry-run and --json")
    settings = {k: v for k, v in (("region", args.region), ("url", args.url), ("org-id", args.org_id)) if v}
    data, lines = run(
        args.project.resolve(),
        new=args.new,
        choices=Choices(**{o: getattr(args, o) for o in options}),
        settings=settings,
        env=_environ(args),
        dry_run=args.dry_run,
        offline=args.offline,
    )
    out.emit(data, lines)
    return EXIT_OK


def _bare_config(args: argparse.Namespace, env: Mapping[str, str]) -> HarmonyConfig:
    """Host settings only, for `login` outside a connector project (no environments to select there)."""
    from .config import load_config
    from .vocabulary import ENV_VAR

    hosts_only = {name: value for name, value in env.items() if name != ENV_VAR}
    return load_config({}, args.project.resolve(), hosts_only)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise ConfigError(
            f"{question.partition('?')[0]}? There is no terminal to ask on (a script or CI job): "
            "pass --yes to confirm. Nothing was deleted."
        )
    return input(question).strip().lower() in ("y", "yes")


def _setup_logging(*, verbose: bool) -> None:
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "emulator":
        from .emulator import run

        return run(args)
    _setup_logging(verbose=args.verbose)
    out = Output(args.json)
    commands: dict[str, Callable[[argparse.Namespace, Output], int]] = {
        "manifest": cmd_manifest,
        "status": cmd_status,
        "register": cmd_register,
        "list": cmd_list,
        "validate": cmd_validate,
        "delete": lambda a, o: cmd_delete(a, o, _confirm),
        "login": cmd_login,
        "init": cmd_init,
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


if __name__ == "__main__":
    sys.exit(main())
