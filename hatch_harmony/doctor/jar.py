"""The last jar built (in dist/, or hatchling's `directory`): what an agent loads, checked as Java reads it.

Three promises of the jar target (README "The jar"), checked on the file itself, since a
jar may come from an older build, another tool or a hand edit:

* `META-INF/MANIFEST.MF` is the first entry (or the second, after `META-INF/`), else
  `java.util.jar.JarInputStream` does not see it (the JAR format's rules: docs/architecture.md);
* `Class-Path` lists exactly the bundled `lib/*.jar` (jar/layout.py's rule, asked of it);
* every activity id lies in the registration's range (the lock's entry; doctor's
  lock-entry check compares that entry with Harmony);
* as an agent reads it (`jar.agent_view`): @Connector's name is adapter.json's, every
  activity has its @Activity class and back, the factory class is in the jar (failures), and
  the jar's adapter.json and ids are the project's current ones (else a stale jar: a warning).
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from hatch_harmony.doctor.report import Check, failed, ok, skipped, warning
from hatch_harmony.errors import HarmonyError, shown_path

if TYPE_CHECKING:
    from hatch_harmony.jar_manifest import Manifest
    from hatch_harmony.project.adapter import Adapter
    from hatch_harmony.project.lock import LockEntry

NAME = "jar"


def newest_jar(dist: Path, environment: str | None = None, environments: Iterable[str] = ()) -> Path | None:
    """The most recently written `*.jar` directly in `dist` of `environment`, or None.

    Every environment's jar sits in dist/ beside the others, named `…-<environment>.jar`
    (builder.jar_file_name), and holds another registration: doctor checks the selected
    environment's, and without one the newest jar named after none of the declared `environments`.
    """
    jars = [p for p in dist.glob("*.jar") if p.is_file()] if dist.is_dir() else []
    if environment:
        jars = [p for p in jars if p.name.endswith(f"-{environment}.jar")]
    else:
        others = tuple(f"-{name}.jar" for name in environments)
        jars = [p for p in jars if not (others and p.name.endswith(others))]
    return max(jars, key=lambda p: (p.stat().st_mtime_ns, p.name), default=None)


def build_directory(root: Path) -> Path:
    """Where `hatch build -t jar` writes: hatchling's own answer (the jar table's `directory`,
    else `[tool.hatch.build]`'s, else dist/), asked of it rather than re-read here.

    A pyproject.toml that is not TOML falls back to dist/ (the config check reports it); a
    `directory` that is not a string is hatchling's TypeError, naming the field.
    """
    from hatch_harmony.jar.builder import JarBuilder

    try:
        return Path(JarBuilder(str(root)).config.directory)
    except ValueError:  # tomllib.TOMLDecodeError
        return root / "dist"


def declared_environments(root: Path) -> list[str]:
    """The hook's environment names, as the jar target reads them to name and clean its jars."""
    from hatch_harmony.jar.builder import JarBuilder, declared_environments

    builder = JarBuilder(str(root))
    try:
        return declared_environments(builder.build_config, builder.target_config)
    except (ValueError, TypeError):  # not TOML, or not tables: the config check reports it
        return []


def jar_check(
    root: Path,
    entry: LockEntry | None,
    adapter: Adapter | None = None,
    environment: str | None = None,
    *,
    adapter_invalid: bool = False,
) -> Check:
    """The newest jar of the build directory (of `environment`): manifest first, Class-Path = bundled
    lib/*.jar, ids in range; with the adapter, the jar as an agent reads it (annotations, factory
    class) and whether it is stale."""
    try:
        directory = build_directory(root)
    except TypeError as exc:
        return failed(NAME, "the build directory cannot be read", f"{exc} in pyproject.toml: fix it.")
    jar = newest_jar(directory, environment, declared_environments(root))
    if jar is None:
        where = shown_path(directory, root).rstrip("/")
        return skipped(NAME, f"no jar in {where}/ yet (`hatch build -t jar` writes one)")
    shown = shown_path(jar, root)
    try:
        with zipfile.ZipFile(jar) as archive:
            names = archive.namelist()
            problems, manifest = _manifest_first(names, archive, shown)
    except (OSError, zipfile.BadZipFile) as exc:
        return failed(NAME, f"{shown} is not a readable jar ({exc})", "Build it again: `hatch build -t jar`.")
    if manifest is not None:
        problems += _class_path_problems(manifest, names)
        problems += _range_problems(manifest, entry)
    stale: list[str] = []
    if adapter is not None:
        from hatch_harmony.jar.agent_view import code_problems, read_jar, stale_problems

        view = read_jar(jar)
        stale = stale_problems(view, adapter, _lock_ids(entry, adapter), shown)
        # The agent reads the jar's own adapter.json: a stale jar is compared with that one, so
        # the activities added since are the stale warning, not a failure of the code.
        problems += code_problems(view, _jar_adapter(view.adapter, adapter) if stale else adapter, shown)
    if problems:
        return failed(
            NAME,
            f"{shown}: {'; '.join(problems + stale)}",
            "Fix that, then build the jar again: `hatch build -t jar`.",
        )
    if stale:
        return warning(NAME, "; ".join(stale), "Build the jar again: `hatch build -t jar`.")
    checked = "manifest first, Class-Path = bundled lib/*.jar"
    if adapter is not None:
        checked += ", @Connector and @Activity names = adapter.json's, up to date"
    unchecked = (
        " (adapter.json is not valid, so its lock entry is not known: range and names unchecked)"
        if adapter_invalid
        else " (no lock entry: range unchecked)"
    )
    checked += f", activity ids in {_range(entry)}" if entry is not None else unchecked
    return ok(NAME, f"{shown}: {checked}")


def _manifest_first(
    names: list[str], archive: zipfile.ZipFile, shown: str
) -> tuple[list[str], Manifest | None]:
    from hatch_harmony.jar.archive import MANIFEST_DIR, MANIFEST_NAME
    from hatch_harmony.jar_manifest import Manifest

    upper = [n.upper() for n in names[:2]]
    if MANIFEST_NAME not in upper or (upper[0] != MANIFEST_NAME and upper[0] != MANIFEST_DIR):
        where = "missing" if MANIFEST_NAME not in (n.upper() for n in names) else "not the first entry"
        return [f"{MANIFEST_NAME} is {where} (java.util.jar.JarInputStream would not see it)"], None
    data = archive.read(names[upper.index(MANIFEST_NAME)])
    try:
        return [], Manifest.parse(data, source=f"{shown}!/{MANIFEST_NAME}")
    except HarmonyError as exc:
        return [exc.message], None


def _class_path_problems(manifest: Manifest, names: list[str]) -> list[str]:
    from hatch_harmony import vocabulary as words
    from hatch_harmony.jar.layout import (
        on_class_path,  # the rule's one owner: which entries the loader follows
    )

    bundled = {n for n in names if on_class_path(n)}
    listed = {posixpath.normpath(unquote(raw)) for raw in (manifest.get(words.CLASS_PATH) or "").split()}
    problems = []
    if missing := sorted(bundled - listed):
        problems.append(f"Class-Path lacks bundled {', '.join(missing)}")
    if extra := sorted(listed - bundled):
        problems.append(f"Class-Path lists {', '.join(extra)}, not in the jar")
    return problems


def _jar_adapter(data: bytes | None, current: Adapter) -> Adapter:
    from hatch_harmony.project.adapter import parse_adapter

    if data is None:
        return current
    try:
        return parse_adapter(data, source=Path(current.path.name))
    except HarmonyError:
        return current


def _lock_ids(entry: LockEntry | None, adapter: Adapter) -> dict[str, str] | None:
    """The id attributes the lock entry gives the current adapter's activities (and the endpoint)."""
    from hatch_harmony import vocabulary as words

    if entry is None:
        return None
    ids = {words.ENDPOINT_ID: str(entry.endpoint_entity_id)}
    for key in adapter.activities:
        if key in entry.activities:
            ids[f"{words.ACTIVITY_PREFIX}{key}"] = str(entry.activities[key])
    return ids


def _range(entry: LockEntry) -> str:
    return f"{entry.function_entity_start_id}-{entry.function_entity_end_id}"


def _range_problems(manifest: Manifest, entry: LockEntry | None) -> list[str]:
    from hatch_harmony.project import connector_manifest as cm
    from hatch_harmony.vocabulary import entity_id

    if entry is None:
        return []
    outside = [
        f"{key}={value}"
        for key, value in cm.activity_values(manifest).items()
        if (number := entity_id(value)) is None or number not in entry.function_range
    ]
    if not outside:
        return []
    return [f"activity ids outside the registered range {_range(entry)}: {', '.join(outside)}"]
