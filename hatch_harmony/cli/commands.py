"""The commands: each one asks the engine or the client, and hands the result to `Output`.

Thin on purpose: every decision is the engine's (`pipeline`, `decision`, `execute`),
every request the client's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony.cli.inputs import bare_config, config_for, engine_inputs, environ_for
from hatch_harmony.cli.output import (
    EXIT_FAILURE,
    EXIT_OK,
    MASK,
    Json,
    Output,
    entry_json,
    outcome_json,
    outcome_lines,
)
from hatch_harmony.engine.inputs import adapter_for, client_for, lock_entry_for, project_version, shipped_for
from hatch_harmony.errors import ConfigError, HarmonyError, shown_path
from hatch_harmony.vocabulary import KEY_VAR, REGION_VAR, SECRET_VAR, URL_VAR, entity_id

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.project.lock import LockEntry


def cmd_manifest(args: argparse.Namespace, out: Output) -> int:
    from hatch_harmony import vocabulary as words
    from hatch_harmony.engine.pipeline import SECRET_FILE_MODE, generate
    from hatch_harmony.jar_manifest import Manifest

    env = environ_for(args)
    config = config_for(args, env)
    target = configured = config.manifest
    if args.output and args.output != "-":
        target = Path(args.output).resolve()
        config = replace(config, manifest=target)
    to_stdout = args.output == "-"
    result = generate(
        config,
        env,
        project_version=project_version(config.root),
        write=not (to_stdout or args.check),
        read_only=args.check,
        previous_path=None if target == configured else configured,
    )
    outcome = result.outcome
    data: dict[str, Json] = {"path": None if to_stdout else str(target), **outcome_json(outcome)}
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
            parsed = Manifest.parse(text, source="generated manifest")
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
    out.emit(data, [*outcome_lines(outcome), f"{shown_path(target, config.root)}: {state}"])
    return EXIT_OK


def cmd_status(args: argparse.Namespace, out: Output) -> int:
    from hatch_harmony.engine.connection import lock_host
    from hatch_harmony.engine.decision import plan, refuse_rename
    from hatch_harmony.jar_manifest import Manifest
    from hatch_harmony.project import connector_manifest as cm
    from hatch_harmony.project.lock import read_lock

    env, config, adapter, inputs = engine_inputs(args)
    keys, endpoint = inputs.manifest_keys, inputs.manifest_endpoint
    refuse_rename(config, adapter, read_lock(config.lock), host=lock_host(config))  # as a build would
    decided = plan(config, adapter, env, inputs)
    exists = config.manifest.exists()
    manifest_info: dict[str, Json] = {"path": str(config.manifest), "exists": exists}
    if exists:
        try:
            parsed = Manifest.parse(config.manifest.read_bytes(), source=str(config.manifest))
            manifest_info["hasKey"] = keys is not None
            manifest_info["endpointEntityId"] = endpoint
            manifest_info["activities"] = {
                name: entity_id(value) for name, value in cm.activity_values(parsed).items()
            }
        except HarmonyError as exc:
            manifest_info["error"] = exc.message
    data: dict[str, Json] = {
        "adapter": {"path": str(adapter.path), "name": adapter.name, "version": adapter.version},
        "lock": None if decided.entry is None else entry_json(decided.entry),
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
        elsewhere = _other_hosts(config, adapter.name)
        if elsewhere:
            lines.append(f"lock: {shown_path(config.lock, config.root)} {elsewhere}")
            data["otherHosts"] = elsewhere
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
    lines.append(f"next build: {decided.action} ({decided.requests_text}) — {decided.reason}")
    out.emit(data, lines)
    return EXIT_OK


def _other_hosts(config: HarmonyConfig, name: str) -> str | None:
    """Which hosts the lock has this connector on, when none is the configured one (status's line)."""
    from hatch_harmony.engine.connection import lock_host
    from hatch_harmony.engine.execute import other_hosts
    from hatch_harmony.project.lock import read_lock

    try:
        return other_hosts(read_lock(config.lock), name, lock_host(config))
    except (HarmonyError, ValueError):  # the lock's or the host's own problem is reported elsewhere
        return None


def cmd_register(args: argparse.Namespace, out: Output) -> int:
    from hatch_harmony.engine.execute import ensure_registration

    env, config, adapter, inputs = engine_inputs(args)
    outcome = ensure_registration(config, adapter, env, inputs, shipped=shipped_for(config), new_name=True)
    data: dict[str, Json] = {
        **outcome_json(outcome),
        "lock": str(config.lock),
        "lockWritten": outcome.lock_written,
    }
    out.emit(data, [*outcome_lines(outcome), f"lock: {shown_path(config.lock, config.root)}"])
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: Output) -> int:
    """The org's connectors, no secrets: read for ids only, so it works where Harmony lists no keys."""
    from hatch_harmony.api.protocol import public_wire

    env = environ_for(args)
    config = config_for(args, env)
    with client_for(config, env) as client:
        connectors = client.listed()
        org_id = client.org_id
    data: dict[str, Json] = {"orgId": org_id, "connectors": [public_wire(r) for r in connectors]}
    lines = [f"org {org_id}: {len(connectors)} registered connector{'s' if len(connectors) != 1 else ''}"]
    lines += [
        f"  {r.id}  {r.name} {r.version}  endpoint {r.endpoint_entity_id}  "
        f"range {r.function_entity_start_id}-{r.function_entity_end_id}"
        for r in connectors
    ]
    out.emit(data, lines)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, out: Output) -> int:
    from hatch_harmony.engine.connection import for_entry
    from hatch_harmony.engine.decision import keypair_from_env
    from hatch_harmony.engine.pipeline import previous_values

    env = environ_for(args)
    config = config_for(args, env)
    adapter = adapter_for(config)
    keys = keypair_from_env(env) or previous_values(config.manifest)[0]
    if keys is None:
        raise ConfigError(
            f"No key and secret to validate: set {KEY_VAR} and {SECRET_VAR}, "
            f"or generate the manifest first ({shown_path(config.manifest, config.root)})."
        )
    entry = lock_entry_for(config, adapter, env)
    with client_for(for_entry(config, entry), env) as client:
        client.validate(entry.name if entry else adapter.name, keys.key, keys.secret)
    out.emit(
        {"valid": True, "name": adapter.name, "source": keys.source},
        [f"Harmony accepts the key and secret of {adapter.name!r} (from {keys.source})"],
    )
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, out: Output, confirm: Callable[[str], bool]) -> int:
    from hatch_harmony.engine.connection import for_entry
    from hatch_harmony.engine.execute import forget

    if not (args.registration or args.payload):
        raise ConfigError("Say what to delete: --registration, --payload, or both.")
    env = environ_for(args)
    config = config_for(args, env)
    adapter = adapter_for(config)
    entry = lock_entry_for(config, adapter, env)
    if args.id and (entry is None or entry.connector_id != args.id):
        entry = recorded_by_id(config, args.id)  # an old name's entry, kept when a rename was registered
    connector_id = args.id or (entry.connector_id if entry else None)
    if not connector_id:
        raise ConfigError(
            f"{shown_path(config.lock, config.root)} has no registration of {adapter.name!r}: "
            "pass --id CONNECTOR_ID (see `hatch-harmony list`)."
        )
    what = " and ".join(w for w, on in (("registration", args.registration), ("payload", args.payload)) if on)
    question = (
        f"Delete the {what} of connector {connector_id} ({(entry.name if entry else adapter.name)!r})? [y/N] "
    )
    if not args.yes and not confirm(question):
        out.emit({"deleted": {}, "id": connector_id, "cancelled": True}, ["cancelled; nothing deleted"])
        return EXIT_FAILURE
    deleted = {"payload": False, "registration": False}
    recorded = entry if entry is not None and entry.connector_id == connector_id else None
    with client_for(for_entry(config, recorded), env) as client:
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


def recorded_by_id(config: HarmonyConfig, connector_id: str) -> LockEntry | None:
    """The lock entry of connector `connector_id` on this host, whatever its name."""
    from hatch_harmony.engine.connection import lock_host
    from hatch_harmony.project.lock import read_lock

    host = lock_host(config)
    found = [e for e in read_lock(config.lock).entries if e.connector_id == connector_id and e.host == host]
    return found[-1] if found else None


def cmd_login(args: argparse.Namespace, out: Output) -> int:
    env = environ_for(args)
    try:
        config = config_for(args, env)
    except ConfigError:
        if args.url or args.region or env.get(URL_VAR) or env.get(REGION_VAR):
            config = bare_config(args, env)  # `login` works outside a connector project too
        else:
            raise
    with client_for(config, env) as client:
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
    from hatch_harmony.init import Choices, run

    options = ("adapter", "manifest_template", "classes", "lib", "project_name", "project_version")
    if args.new is not None and any(getattr(args, o) for o in (*options, "url", "region", "org_id")):
        raise ConfigError("--new makes a new project: it takes only --project, --dry-run and --json")
    if sum((args.new is not None, args.add_activity is not None, args.sdk_stand_in)) > 1:
        raise ConfigError("--new, --add-activity and --sdk-stand-in are separate steps: pass one of them")
    settings = {k: v for k, v in (("region", args.region), ("url", args.url), ("org-id", args.org_id)) if v}
    data, lines = run(
        args.project.resolve(),
        new=args.new,
        choices=Choices(**{o: getattr(args, o) for o in options}),
        settings=settings,
        env=environ_for(args),
        dry_run=args.dry_run,
        offline=args.offline,
        add_activity=args.add_activity,
        sdk_stand_in=args.sdk_stand_in,
    )
    out.emit(data, lines)
    return EXIT_OK


def confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise ConfigError(
            f"{question.partition('?')[0]}? There is no terminal to ask on (a script or CI job): "
            "pass --yes to confirm. Nothing was deleted."
        )
    return input(question).strip().lower() in ("y", "yes")
