"""The checks that need no network: tools, settings, inputs, where the secret goes, what git holds.

Each check asks the module that owns the rule (config, adapter, pipeline, destination,
secret_history) and only turns its answer or its `HarmonyError` into a `Check`: doctor
re-writes no rule, so it can never disagree with what a build does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hatch_harmony import vocabulary as words
from hatch_harmony.doctor.report import Check, failed, ok, skipped, warning
from hatch_harmony.errors import ConfigError, HarmonyError, shown_path

if TYPE_CHECKING:
    from hatch_harmony.config import HarmonyConfig
    from hatch_harmony.guard.secret_history import SecretScan
    from hatch_harmony.jar_manifest import Manifest
    from hatch_harmony.project.adapter import Adapter

#: Oldest Python hatch-harmony supports (pyproject.toml's requires-python).
MIN_PYTHON = (3, 10)
#: Oldest hatchling the hook and the jar target work with (pyproject.toml's dependency).
MIN_HATCHLING = (1, 21)
JDK_TIMEOUT_SECONDS = 10.0
_VERSION = re.compile(r"\b(\d+(?:\.\d+)*)")


def python_check(version: tuple[int, int, int] | None = None) -> Check:
    """The interpreter running hatch-harmony (and, through the hook, a build's)."""
    major, minor, micro = version or sys.version_info[:3]
    shown = f"Python {major}.{minor}.{micro}"
    if (major, minor) < MIN_PYTHON:  # only a test passes such a version: pip does not install here
        need = _dotted(MIN_PYTHON)
        return failed("python", shown, f"hatch-harmony needs Python {need} or newer: use a newer one.")
    return ok("python", shown)


def hatchling_check(version_of: Callable[[str], str] | None = None) -> Check:
    """hatchling in this environment: the hook and the jar target are hatchling plugins."""
    from importlib import metadata

    try:
        version = (version_of or metadata.version)("hatchling")
    except metadata.PackageNotFoundError:
        return warning(
            "hatchling",
            "not installed in this environment",
            "`hatch build` installs it from [build-system] requires; to build here without isolation, "
            f"`pip install hatchling` (hatch-harmony needs {_dotted(MIN_HATCHLING)} or newer).",
        )
    release = _VERSION.match(version)
    parts = tuple(int(part) for part in release.group(1).split(".")) if release else ()
    if parts and parts < MIN_HATCHLING:
        need = _dotted(MIN_HATCHLING)
        return failed(
            "hatchling",
            f"hatchling {version} is older than {need}",
            f"Upgrade it: `pip install 'hatchling>={need}'` here, and require `hatchling>={need}` in "
            "[build-system] requires of the connector's pyproject.toml.",
        )
    return ok("hatchling", f"hatchling {version}")


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def jdk_check(which: Callable[[str], str | None] = shutil.which) -> Check:
    """java and javac on PATH, and their versions.

    A missing JDK is a warning, not a failure [decision]: hatch-harmony never compiles Java
    (the jar target packs classes compiled by `javac`, Maven or Gradle) and needs no JVM to
    register or write a manifest, so a CI job that only packs prebuilt classes is healthy;
    but whoever compiles the connector needs javac, so it is worth one line.
    """
    found = {tool: which(tool) for tool in ("java", "javac")}
    missing = [tool for tool, path in found.items() if path is None]
    if missing:
        return warning(
            "jdk",
            f"{' and '.join(missing)} not found on PATH",
            "hatch-harmony packs compiled classes and needs no JDK itself, but compiling the connector "
            "(javac, mvn compile) does: install a JDK (11 or newer) and put its bin/ on PATH.",
        )
    versions = [f"{tool} {_tool_version(path)}" for tool, path in found.items() if path is not None]
    return ok("jdk", ", ".join(versions))


def _tool_version(path: str) -> str:
    """`javac 17.0.9` → 17.0.9 (JDK 9+ print it on stdout, java and older javac on stderr)."""
    try:
        done = subprocess.run(
            [path, "-version"], capture_output=True, text=True, timeout=JDK_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "(version unknown)"
    output = done.stdout.strip() or done.stderr.strip()
    lines = [line for line in output.splitlines() if not line.startswith("Picked up")]
    match = _VERSION.search(lines[0]) if lines else None
    return match.group(1) if match else "(version unknown)"


def error_check(name: str, what: str, exc: HarmonyError) -> Check:
    """A check that failed with the owner's error: `what` failed, the owner's message is the fix."""
    return failed(name, what, exc.message)


def config_check(
    root: Path, env: Mapping[str, str], environment: str | None
) -> tuple[Check, HarmonyConfig | None]:
    """pyproject.toml's table and the HARMONY_* variables, every problem listed.

    The table's problems are the collector's (config/); HARMONY_CONNECTOR_KEY and _SECRET
    are read by decision.keypair_from_env, asked here too: a half-set pair or a placeholder
    stops every build, so it is a settings problem, reported once, not by each later check.
    """
    from hatch_harmony.config import load_config, read_project_table
    from hatch_harmony.engine.decision import keypair_from_env

    problems: list[str] = []
    config: HarmonyConfig | None = None
    try:
        table, table_path = read_project_table(root)
        config = load_config(table, root, env, table_path=table_path, environment=environment)
    except ConfigError as exc:
        problems += problem_lines(exc.message)
    try:
        keypair_from_env(env)
    except ConfigError as exc:
        problems.append(exc.message)
    if problems or config is None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        return failed("config", f"{count} in the hatch-harmony settings", "\n".join(problems)), None
    where = f"[{config.table_path}]" + (f", environment {config.environment!r}" if config.environment else "")
    return ok("config", where), config


def problem_lines(message: str) -> list[str]:
    """The collector's message as one problem a line (`N problems …:` then `  - …` lines)."""
    lines = message.splitlines()
    listed = [line.strip()[2:] for line in lines[1:] if line.strip().startswith("- ")]
    return listed if listed else [message]


def adapter_check(config: HarmonyConfig) -> tuple[Check, Adapter | None]:
    from hatch_harmony.engine.inputs import adapter_for

    try:
        adapter = adapter_for(config)
    except HarmonyError as exc:
        return error_check("adapter", "adapter.json is not valid", exc), None
    activities = f"{len(adapter.activities)} activit{'ies' if len(adapter.activities) != 1 else 'y'}"
    version = adapter.version or "(no version)"
    shown = shown_path(adapter.path, config.root)
    if adapter.warnings:  # keys Harmony would ignore: the build warns, so doctor does too
        return warning(
            "adapter",
            f"{shown}: {adapter.name!r} {version}, {activities}; " + "; ".join(adapter.warnings),
            "Fix those keys (`hatch-harmony schema adapter` prints the keys adapter.json takes).",
        ), adapter
    return ok("adapter", f"{shown}: {adapter.name!r} {version}, {activities}"), adapter


def template_check(config: HarmonyConfig) -> tuple[Check, Manifest | None]:
    """The template parses; a real key or secret in it is the pipeline's warning (it is committed)."""
    from hatch_harmony.engine.pipeline import load_template
    from hatch_harmony.project import connector_manifest as cm

    try:
        template = load_template(config)
    except HarmonyError as exc:
        return error_check("template", "the manifest template does not parse", exc), None
    if config.manifest_template is None:
        return ok("template", "none configured: the manifest starts empty"), template
    shown = shown_path(config.manifest_template, config.root)
    if any(cm.registration_values(template)):
        return warning(
            "template",
            f"{shown} holds a real connector key or secret",
            f"Put placeholders (****) as the values of {words.KEY} and {words.SECRET} in {shown}; the "
            "build fills them in (`hatch-harmony init` does it for you).",
        ), template
    return ok("template", f"{shown} parses ({len(list(template.main.items()))} main attributes)"), template


def manifest_path_check(config: HarmonyConfig, adapter: Adapter | None) -> Check:
    """Where the secret manifest goes: destination.py's rule (inside the project, git-ignored, no input)."""
    from hatch_harmony.guard.destination import check_destination, check_lock_path
    from hatch_harmony.util.git import GitStatus, git_status

    try:
        check_destination(config, config.manifest, adapter.path if adapter else None)
        check_lock_path(config)
    except HarmonyError as exc:
        return error_check("manifest-path", "the generated manifest's path is not safe", exc)
    shown = shown_path(config.manifest, config.root)
    state = git_status(config.manifest)
    where = "ignored by git" if state is GitStatus.IGNORED else "not in a git work tree"
    return ok("manifest-path", f"{shown}: {where}")


def secrets_check(root: Path, found: SecretScan | None = None) -> Check:
    """No tracked file holds a real key or secret (failed), nor any commit on any ref (a warning).

    Commits and paths, never a value. Values found only in history are `history`'s warning,
    which the network checks complete with Harmony's word on the key (`history.history_check`).
    `found` is the scan when the caller made it already.
    """
    from hatch_harmony.doctor.history import commit_lines, history_warning
    from hatch_harmony.guard.secret_history import scan

    found = found or scan(root)
    if not found.in_git:
        return skipped("secrets", "not a git work tree: no history to scan")
    if found.tracked:
        fixes = [
            f"tracked now: {', '.join(found.tracked)}; put **** as the values (or `git rm --cached` the "
            "file) before the next commit",
            *commit_lines(found.commits),
        ]
        what = (
            f"{len(found.tracked)} tracked file(s) hold a key or secret ({len(found.commits)} commit(s) too)"
        )
        return failed("secrets", what, "\n".join(fixes))
    if found.commits:
        return history_warning(found)
    if not found.complete:
        return warning(
            "secrets",
            f"none found, but the scan is incomplete: {found.reason}",
            f"Run `git log -G {words.CONNECTOR}- --all` to review the rest of the history by hand.",
        )
    return ok("secrets", "no tracked file and no commit holds a real connector key or secret")
