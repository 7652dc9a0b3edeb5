"""`hatch-harmony init`: move an existing connector repository to hatch-harmony, or start a new one.

One entry for the CLI (`run`), which stays thin: argument parsing there, decisions here.

    layout.py     what the repository holds (pom.py reads pom.xml); asks for options, never guesses
    pyproject.py  the tables init appends, compared with existing ones, never rewritten
    edits.py      the committed manifest made a template (placeholders), the .gitignore lines
    adopt.py      the engine's adoption (`pipeline.generate`), forbidden to register
    migrate.py    plan, then adopt and write, in the order that keeps every file safe
    scaffold.py   `--new NAME`: a minimal connector project (java_scaffold.py: its classes)
    add_activity.py  `--add-activity KEY`: adapter.json's new entry and its @Activity class
    sdk_stand_in.py  `--sdk-stand-in`: the compile-only SDK jar in lib/
    report.py     lines for people, JSON for scripts

The git-history secret scan is `hatch_harmony.guard.secret_history`, shared with other commands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hatch_harmony.init.layout import Choices


def run(
    root: Path,
    *,
    new: str | None,
    choices: Choices,
    settings: Mapping[str, str],
    env: Mapping[str, str],
    dry_run: bool,
    offline: bool,
    add_activity: str | None = None,
    sdk_stand_in: bool = False,
) -> tuple[dict[str, Any], Sequence[str]]:
    """Do (or plan) init; return the JSON document and the lines. HarmonyError for what it cannot do."""
    from hatch_harmony.init.report import migration_json, migration_lines, scaffold_json, scaffold_lines

    if add_activity is not None:
        from hatch_harmony.init.add_activity import add_activity as add
        from hatch_harmony.init.add_activity import added_lines

        added = add(root, add_activity, adapter=choices.adapter, dry_run=dry_run)
        data = {"mode": "add-activity", "dryRun": dry_run, "activity": added.key, "files": list(added.files)}
        return data, added_lines(added)
    if sdk_stand_in:
        from hatch_harmony.init.sdk_stand_in import STAND_IN_JAR, make_stand_in

        lib = root / (choices.lib or "lib")
        jar = make_stand_in(lib) if not dry_run else lib / STAND_IN_JAR
        line = f"hatch-harmony init --sdk-stand-in: {'wrote' if not dry_run else 'would write'} {jar}"
        return {"mode": "sdk-stand-in", "dryRun": dry_run, "path": str(jar)}, [line]

    if new is not None:
        from hatch_harmony.init.scaffold import scaffold

        made = scaffold(root, new, dry_run=dry_run)
        return scaffold_json(made), scaffold_lines(made)
    from hatch_harmony.init.migrate import migrate

    done = migrate(root, choices, settings, env, dry_run=dry_run, offline=offline)
    return migration_json(done), migration_lines(done)


__all__ = ["Choices", "run"]
