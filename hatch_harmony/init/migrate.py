"""`hatch-harmony init` in an existing connector repository: plan everything, then change files in order.

Safe by default means, in this order:

1. everything is read and decided before any file changes: the layout (layout.py), the
   pyproject tables (an existing table that differs stops here), the template edit, the
   .gitignore lines, and the configuration init writes, loaded by `config.load_config` and
   `config.load_jar_config` exactly as builds will load it;
2. `--dry-run` stops there, and so changes no byte: it reports the plan;
3. with credentials, the registration is adopted (adopt.py: login and list, 2 requests,
   never a register) while the committed manifest still holds whatever key it held, so the
   engine checks it is this registration's; this step writes harmony.lock only;
4. then .gitignore, pyproject.toml and the template are written (atomically, modes kept),
   and last the generated manifest, once git ignores its path (destination.py's rule).

A second run finds every table present, the lines in .gitignore, placeholders in the template
and the lock complete with the key at hand (0 requests): it changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hatch_harmony.config import DEFAULT_UI_FILE, HOOK_TABLE, HarmonyConfig, load_config
from hatch_harmony.engine.decision import inputs_for, plan
from hatch_harmony.engine.pipeline import SECRET_FILE_MODE, previous_values
from hatch_harmony.errors import ConfigError, shown_path
from hatch_harmony.guard import secret_history
from hatch_harmony.guard.destination import check_destination
from hatch_harmony.init.adopt import Adoption, adopt
from hatch_harmony.init.edits import IgnoreLine, gitignore_lines, gitignore_text, without_secrets
from hatch_harmony.init.layout import Choices, Layout, detect
from hatch_harmony.init.pyproject import (
    PROJECT,
    PyprojectPlan,
    get_table,
    plan_pyproject,
    read_pyproject,
    wanted_tables,
)
from hatch_harmony.jar.builder import load_jar_table
from hatch_harmony.jar.config import JAR_TABLE
from hatch_harmony.util.files import atomic_write, no_new_mutex_on_failure
from hatch_harmony.vocabulary import ENV_VAR, OFFLINE_VAR


@dataclass(frozen=True)
class Change:
    """One file init writes (or would write); `data` is never shown."""

    path: Path
    action: str  # create | append | edit
    what: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Migration:
    """The plan and, unless a dry run, what was done. Paths are absolute; reports show them relative."""

    root: Path
    layout: Layout
    pyproject: PyprojectPlan
    changes: tuple[Change, ...]
    scan: secret_history.SecretScan
    adoption: Adoption
    manifest: Path
    manifest_written: bool
    first_build: str
    tracked_secrets: tuple[str, ...]
    dry_run: bool


def _tables(layout: Layout, settings: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    hook: dict[str, Any] = {"adapter": layout.adapter_path}
    if layout.template is not None:
        hook["manifest-template"] = layout.template
    if layout.ui_file != DEFAULT_UI_FILE:
        hook["ui-file"] = layout.ui_file
    hook.update(settings)
    jar: dict[str, Any] = {"classes": layout.classes}
    if layout.lib is not None:
        jar["lib"] = layout.lib
    if layout.assets:
        jar["assets"] = list(layout.assets)
    return wanted_tables(name=layout.project_name, version=layout.project_version, hook=hook, jar=jar)


def _table(data: Mapping[str, Any], dotted: str) -> dict[str, Any] | None:
    found = get_table(data, dotted)
    return dict(found) if isinstance(found, Mapping) else None


def _mode(path: Path, default: int = 0o644) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return default


def _changes(
    root: Path, py: PyprojectPlan, ignore: list[IgnoreLine], layout: Layout, template: bytes | None
) -> list[Change]:
    """.gitignore first: the later writes (the manifest above all) rely on git ignoring their paths."""
    changes = []
    gitignore = gitignore_text(root, ignore)
    if gitignore is not None:
        action = "append" if (root / ".gitignore").is_file() else "create"
        lines = ", ".join(item.line for item in ignore)
        changes.append(Change(root / ".gitignore", action, f"add {lines}", gitignore))
    if py.after is not None:
        action = "append" if py.before is not None else "create"
        changes.append(Change(py.path, action, "add " + ", ".join(f"[{t}]" for t in py.added), py.after))
    if template is not None and layout.template is not None:
        what = "key and secret replaced by placeholders (****); the ids and every other attribute kept"
        changes.append(Change(root / layout.template, "edit", what, template))
    return changes


def _pom_change(layout: Layout, manifest: str) -> Change | None:
    """maven-jar-plugin's <manifestFile> pointed at the generated manifest (`repoint_manifest_file`: why)."""
    from hatch_harmony.init.pom import repoint_manifest_file

    pom = layout.pom
    edited = None if pom is None else repoint_manifest_file(pom, manifest)
    if pom is None or edited is None:
        return None
    what = (
        f"maven-jar-plugin <manifestFile>: {pom.manifest_file} -> {manifest}, the manifest hatch-harmony "
        f"writes (git-ignored), because {pom.manifest_file} now holds placeholders and a jar packaged with "
        f"it is refused by every agent: `mvn package` now fails until `hatch-harmony manifest` (or a "
        "build) wrote it, and ships the real key, secret and ids after"
    )
    return Change(pom.path, "edit", what, edited)


def _first_build(config: HarmonyConfig, layout: Layout, env: Mapping[str, str]) -> str:
    """What the next build will do, as `decision.plan` predicts it (no request)."""
    keys, endpoint = previous_values(config.manifest, shown_path(config.manifest, config.root))
    decided = plan(
        config, layout.adapter, env, inputs_for(layout.adapter, layout.project_version, keys, endpoint)
    )
    return f"{decided.action} ({decided.requests_text}): {decided.reason}"


def _write_manifest(config: HarmonyConfig, layout: Layout, data: bytes, changes: list[Change]) -> bool:
    """The adopted registration's manifest, 0600, where destination.py allows it (git ignores it by now)."""
    path = config.manifest
    check_destination(config, path, layout.adapter.path, also_read=[c.path for c in changes])
    try:
        if path.read_bytes() == data and _mode(path) == SECRET_FILE_MODE:
            return False
    except OSError:
        pass
    atomic_write(path, data, mode=SECRET_FILE_MODE)
    return True


def _check_replaceable(root: Path, changes: list[Change]) -> None:
    """Every file init will write can be replaced atomically, decided before the first one changes.

    `atomic_write` refuses a symlink (the rename would turn it into a plain file); found only
    when writing, that refusal would come after .gitignore and pyproject.toml had changed.
    """
    for change in changes:
        if change.path.is_symlink():
            shown = shown_path(change.path, root)
            real = shown_path(change.path.resolve(), root.resolve())
            option = " --manifest-template" if change.action == "edit" else ""
            raise ConfigError(
                f"{shown} is a symlink (to {real}): init replaces the files it edits atomically, which would "
                f"turn the link into a plain file. Run init again with{option or ' the link replaced by'} "
                f"{real}; nothing was sent to Harmony or written."
            )


def _check_folder(root: Path) -> None:
    if not root.is_dir():
        raise ConfigError(f"--project: {root} is not a folder; run init in your connector's repository")
    if not any(p.name != ".git" for p in root.iterdir()):
        raise ConfigError(
            f"{root} is empty: there is no connector to move. To start one here, run "
            '`hatch-harmony init --new "NAME"`.'
        )


def _adopt(
    config: HarmonyConfig,
    layout: Layout,
    env: Mapping[str, str],
    *,
    dry_run: bool,
    offline: bool,
    rewrite: bool,
) -> Adoption:
    if dry_run:
        return Adoption("skipped", 0, "--dry-run: nothing is sent to Harmony or written")
    if offline:
        return Adoption("skipped", 0, "--offline: left to the first build")
    return adopt(config, env, project_version=layout.project_version, rewritten_template=rewrite)


def migrate(
    root: Path,
    choices: Choices,
    settings: Mapping[str, str],
    env: Mapping[str, str],
    *,
    dry_run: bool = False,
    offline: bool = False,
) -> Migration:
    """Plan, and unless `dry_run`, adopt and write; ConfigError (nothing changed) when init cannot decide.

    `settings` are hook options the user named on the command line (region, url, org-id):
    written into the table, so that every build talks to the same Harmony.
    """
    _check_folder(root)
    env = {k: v for k, v in env.items() if k != ENV_VAR}  # init writes the base table only
    old = read_pyproject(root)
    layout = detect(root, choices, _table(old, PROJECT), _table(old, HOOK_TABLE))
    tables = _tables(layout, settings)
    py = plan_pyproject(root, tables)
    # An existing table holds at least init's keys (plan_pyproject checked): builds will read it.
    config = load_config(_table(old, HOOK_TABLE) or tables[HOOK_TABLE], root, env)
    load_jar_table(_table(old, JAR_TABLE) or tables[JAR_TABLE], root)
    template = None
    if layout.template is not None:
        template = without_secrets((root / layout.template).read_bytes(), layout.template)
    changes = _changes(root, py, gitignore_lines(root, config.manifest), layout, template)
    pom_change = _pom_change(layout, config.manifest.relative_to(root).as_posix())
    if pom_change is not None:
        changes.append(pom_change)
    _check_replaceable(root, changes)
    rewrite = template is not None
    scan = secret_history.scan(root)
    written = False
    if not dry_run:
        with no_new_mutex_on_failure(config.lock):  # a failed init leaves git status as it was
            adoption = _adopt(config, layout, env, dry_run=False, offline=offline, rewrite=rewrite)
            for change in changes:
                atomic_write(change.path, change.data, mode=_mode(change.path))
            if adoption.manifest is not None:
                written = _write_manifest(config, layout, adoption.manifest, changes)
        tracked = secret_history.tracked_with_secrets(root)
    else:
        adoption = _adopt(config, layout, env, dry_run=True, offline=offline, rewrite=rewrite)
        tracked = tuple(p for p in scan.tracked if template is None or p != layout.template)
    return Migration(
        root=root,
        layout=layout,
        pyproject=py,
        changes=tuple(changes),
        scan=scan,
        adoption=adoption,
        manifest=config.manifest,
        manifest_written=written,
        first_build=_first_build(config, layout, {**env, OFFLINE_VAR: "1"} if offline else env),
        tracked_secrets=tracked,
        dry_run=dry_run,
    )
