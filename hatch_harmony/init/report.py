"""What `hatch-harmony init` tells a person (lines) and a script (`--json`): never a secret value.

The report names files relative to the project, every change and why, the commits that held
a key or secret (hash, date, subject, paths, which attribute: the value never), what to do
about them, the registration step and its request count, and ends with the two commands to
run next, as the issue asks.
"""

from __future__ import annotations

from typing import Any

from hatch_harmony.errors import shown_path
from hatch_harmony.guard.secret_history import ADVICE_ON_COMMITTED_VALUES, SecretScan
from hatch_harmony.init.adopt import adoption_json
from hatch_harmony.init.migrate import Migration
from hatch_harmony.init.scaffold import ACTIVITY, Scaffold
from hatch_harmony.init.sdk_stand_in import WHERE_TO_GET
from hatch_harmony.vocabulary import EMAIL_VAR, PASSWORD_VAR, REGION_VAR, URL_VAR

BUILD_COMMAND = "hatch build -t jar"


def _secrets_json(scan: SecretScan, tracked: tuple[str, ...]) -> dict[str, Any]:
    return {
        "inGit": scan.in_git,
        "complete": scan.complete,
        "incompleteReason": scan.reason,
        "commits": [
            {
                "commit": c.commit,
                "date": c.date,
                "subject": c.subject,
                "paths": list(c.paths),
                "attributes": list(c.attributes),
            }
            for c in scan.commits
        ],
        "trackedNow": list(tracked),
    }


def migration_json(m: Migration) -> dict[str, Any]:
    layout = m.layout
    return {
        "mode": "migrate",
        "dryRun": m.dry_run,
        "layout": {
            "pom": "pom.xml" if layout.pom is not None else None,
            "adapter": layout.adapter_path,
            "uiFile": layout.ui_file,
            "manifestTemplate": layout.template,
            "classes": layout.classes,
            "lib": layout.lib,
            "assets": list(layout.assets),
            "project": {"name": layout.project_name, "version": layout.project_version},
            "notes": list(layout.notes),
        },
        "changes": [
            {"path": shown_path(c.path, m.root), "action": c.action, "what": c.what} for c in m.changes
        ],
        "tablesAdded": list(m.pyproject.added),
        "tablesPresent": list(m.pyproject.present),
        "manifest": {"path": shown_path(m.manifest, m.root), "written": m.manifest_written},
        "adoption": adoption_json(m.adoption),
        "requests": m.adoption.requests,
        "secrets": _secrets_json(m.scan, m.tracked_secrets),
        "firstBuild": m.first_build,
        "next": [m.layout.compile_command, BUILD_COMMAND],
    }


def _secret_lines(m: Migration) -> list[str]:
    scan = m.scan
    if not scan.in_git:
        return ["secrets in git history: not a git work tree, nothing to scan"]
    lines = []
    if scan.commits:
        lines.append("secrets in git history: a real connector key or secret was committed in")
        for c in scan.commits:
            lines.append(
                f"  {c.short} {c.date[:10]} {c.subject!r}: {', '.join(c.paths)} ({', '.join(c.attributes)})"
            )
        lines.append(f"  {ADVICE_ON_COMMITTED_VALUES}")
    else:
        lines.append("secrets in git history: none found")
    if not scan.complete:
        lines.append(f"  (the scan is incomplete: {scan.reason})")
    if m.tracked_secrets:
        lines.append(
            f"still holding a key or secret in a tracked file: {', '.join(m.tracked_secrets)}; put **** "
            "as the values (or `git rm --cached` the file) before the next commit"
        )
    return lines


def _adoption_lines(m: Migration) -> list[str]:
    a = m.adoption
    if a.connector is None:
        lines = [f"registration: {a.action} — {a.reason}", f"first build: {m.first_build}"]
        if not m.first_build.startswith("offline"):
            lines.append(f"  it asks Harmony: {variables_hint()}")
        return lines
    ids = ", ".join(f"{name}={value}" for name, value in a.activities.items()) or "none"
    lines = [
        f"registration: {a.action} {a.connector['name']!r} {a.connector['version']} (connector id "
        f"{a.connector['id']}, endpoint {a.connector['endpointEntityId']}; activities {ids}) — {a.reason}; "
        f"{a.requests} request{'s' if a.requests != 1 else ''}"
    ]
    if a.lock_written:
        lines.append("  harmony.lock: written with these ids (commit it)")
    if m.manifest_written:
        lines.append(f"  {shown_path(m.manifest, m.root)}: written (0600, ignored by git)")
    lines += [f"  note: {notice}" for notice in a.notices]
    lines.append(f"next build: {m.first_build}")
    return lines


def migration_lines(m: Migration) -> list[str]:
    head = "hatch-harmony init" + (" --dry-run: the plan; nothing was changed" if m.dry_run else "")
    lines = [f"{head} ({'pom.xml' if m.layout.pom is not None else 'no pom.xml'})"]
    lines += [f"  {note}" for note in m.layout.notes]
    verb = "would change" if m.dry_run else "changed"
    if m.changes:
        lines.append(f"files init {verb}:")
        lines += [f"  {shown_path(c.path, m.root)}: {c.action}: {c.what}" for c in m.changes]
    else:
        lines.append("files: nothing to change (already set up)")
    if m.pyproject.present:
        lines.append("pyproject.toml already has " + ", ".join(f"[{t}]" for t in m.pyproject.present))
    lines += _adoption_lines(m)
    lines += _secret_lines(m)
    to_commit = [shown_path(c.path, m.root) for c in m.changes]
    if m.adoption.lock_written:
        to_commit.append("harmony.lock")
    if to_commit and not m.dry_run:
        lines.append("Review and commit: " + ", ".join(to_commit))
    lines += ["Then run:", f"  {m.layout.compile_command}", f"  {BUILD_COMMAND}"]
    return lines


def scaffold_json(s: Scaffold) -> dict[str, Any]:
    return {
        "mode": "new",
        "dryRun": not s.written,
        "name": s.name,
        "files": sorted(s.files),
        "sdkStandIn": s.stand_in,
        "requests": 0,
        "firstBuildNeeds": list(FIRST_BUILD_VARIABLES),
        "next": [s.compile_command, BUILD_COMMAND],
    }


#: What a first build needs to register: where Harmony (or the emulator) is, and a login.
FIRST_BUILD_VARIABLES = (URL_VAR, EMAIL_VAR, PASSWORD_VAR)


def variables_hint() -> str:
    """Every variable a build that talks to Harmony needs: a first build without one stops and asks."""
    return (
        f"set {URL_VAR} (or {REGION_VAR}), {EMAIL_VAR} and {PASSWORD_VAR} (for the local emulator, "
        "`hatch-harmony emulator` prints all three)"
    )


def first_build_hint() -> str:
    return f"the first build registers the connector (3 requests) and writes harmony.lock: {variables_hint()}"


def scaffold_lines(s: Scaffold) -> list[str]:
    verb = "created" if s.written else "would create (--dry-run: nothing was written)"
    lines = [f"hatch-harmony init --new: {verb} the connector project {s.name!r} in {s.root}:"]
    lines += [f"  {path}" for path in s.files]
    if s.stand_in:
        lines.append(
            f"  {s.stand_in} (a compile-only stand-in for the Jitterbit connector SDK; never bundled)"
        )
    lines += [
        f"adapter.json has one activity, {ACTIVITY!r} (more: `hatch-harmony init --add-activity KEY`); "
        + first_build_hint(),
        f"javac compiles against the SDK in lib/: {WHERE_TO_GET}; copy it there"
        + ("" if s.stand_in else " (or run `hatch-harmony init --sdk-stand-in` with a JDK for a stand-in)"),
        "Then run:",
        f"  {s.compile_command}",
        f"  {BUILD_COMMAND}",
    ]
    return lines
