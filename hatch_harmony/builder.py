"""The `jar` build target: `hatch build -t jar` makes the connector jar a private agent loads.

A Harmony agent loads jars, not wheels, so the deployable artifact of a connector project
is built by hatch itself, with the manifest the `harmony` build hook just generated. The
layout (decided here, documented in the README):

    META-INF/MANIFEST.MF      the hook's manifest, Class-Path computed from lib/
    <Jitterbit-Connector-UI>  the adapter.json the hook validated, under the manifest's UI name
    com/example/...           the contents of the compiled classes folder, at the root
    lib/<dependency>.jar      every *.jar directly in the `lib` folder
    <asset folder>/...        each `assets` folder under its path relative to the project root

Copies of MANIFEST.MF or of the UI file found in the classes or asset folders (Maven copies
`src/main/resources` into `target/classes`) are replaced by the build's own; any other
name given by two sources is an error, never a silent overwrite.

`plan_jar` decides the entries (pure but for reading folders); `JarBuilder` is the thin
hatch glue; `jarfile` writes the bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.plugin.interface import BuilderInterface
from hatchling.plugin.manager import PluginManager

from .errors import ConfigError, HarmonyError
from .errors import shown_path as _shown

if TYPE_CHECKING:
    from .config import JarConfig
    from .jarfile import JarEntry

#: build_data keys filled by the `harmony` build hook (hooks.py); the hook runs first.
MANIFEST_KEY = "harmony_manifest"
ADAPTER_KEY = "harmony_adapter"

DEFAULT_UI_FILE = "adapter.json"
COMPILE_HINT = "javac -d build/classes $(find src -name '*.java'), mvn compile or gradle classes"

#: Never bundled from a folder: VCS and OS droppings, not part of any connector.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__"})
SKIPPED_FILES = frozenset({".DS_Store", "Thumbs.db", ".gitkeep"})


@dataclass(frozen=True)
class JarPlan:
    """What goes into the jar: the final manifest bytes, the other entries, and warnings to show."""

    manifest: bytes
    entries: tuple[JarEntry, ...]
    notices: tuple[str, ...]
    summary: str


def jar_file_name(project_name: str, version: str) -> str:
    """`<name>-<version>.jar`, name as PEP 503 normalises it (`Weather_Example` -> `weather-example`).

    Hyphens, as in Maven's `artifactId-version.jar`, which connector developers know; the
    version (normalised by hatchling) never contains a hyphen, so the last one separates
    the two and `clean` can recognise this project's jars exactly.
    """
    name = re.sub(r"[-_.]+", "-", project_name).lower()
    return f"{name}-{version}.jar"


def made_jars(directory: Path, project_name: str) -> list[Path]:
    """The jars (and leftover temporary files) this target made for this project in `directory`."""
    stem = re.escape(re.sub(r"[-_.]+", "-", project_name).lower())
    ours = re.compile(rf"{stem}-[0-9][^-/]*\.jar|\.{stem}-[0-9][^-/]*\.jar\..+\.tmp")
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if ours.fullmatch(p.name) and p.is_file())


def plan_jar(
    root: Path,
    jar: JarConfig,
    *,
    manifest: bytes,
    adapter: Path,
) -> JarPlan:
    """Decide every entry of the connector jar; raise ConfigError naming the option to fix."""
    from . import manifest as mf
    from .jarfile import MANIFEST_NAME, JarEntry, check_entry_name

    table_path = jar.table_path
    parsed = mf.Manifest.parse(manifest, source="the manifest from the harmony build hook")
    ui_name = (parsed.get(mf.CONNECTOR_UI) or "").strip() or DEFAULT_UI_FILE
    try:
        check_entry_name(ui_name)
    except ValueError:
        raise ConfigError(
            f"{mf.CONNECTOR_UI}: {ui_name!r} is not a file name inside a jar; use a plain name such as "
            f"{DEFAULT_UI_FILE!r} (set `ui-file` under [tool.hatch.build.hooks.harmony])"
        ) from None
    if not adapter.is_file():
        raise ConfigError(f"{adapter}: the adapter file to bundle as {ui_name} does not exist")

    # jar name -> (entry, where it comes from, as shown in messages)
    entries: dict[str, tuple[JarEntry, str]] = {}
    entries[ui_name] = (JarEntry.from_file(ui_name, adapter), _shown(adapter, root))
    notices: list[str] = []

    def add(name: str, path: Path) -> None:
        shown = _shown(path, root)
        if name.upper() == MANIFEST_NAME:
            return  # a stale copy: the hook's manifest is the one that ships
        if name == ui_name:
            if path.read_bytes() != adapter.read_bytes():
                notices.append(f"{shown} differs from {_shown(adapter, root)}; the jar gets the latter")
            return
        if name in entries:
            raise ConfigError(
                f"two files would be {name!r} in the jar: {entries[name][1]} and {shown}; "
                f"rename or remove one (check {table_path}.classes and {table_path}.assets)"
            )
        entries[name] = (JarEntry.from_file(name, path), shown)

    classes = _classes_folder(root, jar)
    class_files = 0
    for name, path in _walk(classes):
        class_files += name.endswith(".class")
        add(name, path)
    if not class_files:
        raise ConfigError(
            f"{_shown(classes, root)} holds no .class files: compile first ({COMPILE_HINT}); "
            "a connector jar without code would not load"
        )

    dependencies = _dependency_jars(root, jar)
    for path in dependencies:
        add(f"lib/{path.name}", path)
    mf.set_class_path(parsed, [f"lib/{path.name}" for path in dependencies])

    for index, asset in enumerate(jar.assets):
        folder, prefix = _asset(root, asset, f"{table_path}.assets[{index}]")
        if folder.is_file():
            add(prefix, folder)
        else:
            for name, path in _walk(folder):
                add(f"{prefix}/{name}", path)

    shown_adapter = _shown(adapter, root)
    lib = f" from {_shown(dependencies[0].parent, root)}" if dependencies else ""
    summary = (
        f"classes from {_shown(classes, root)} ({class_files} .class files), "
        f"{len(dependencies)} dependency jar{'s' if len(dependencies) != 1 else ''}{lib}, "
        f"UI file {ui_name}{'' if shown_adapter == ui_name else f' (from {shown_adapter})'}"
    )
    if jar.assets:
        summary += ", assets: " + ", ".join(_shown(root / a, root) for a in jar.assets)
    return JarPlan(
        manifest=parsed.to_bytes(),
        entries=tuple(entry for entry, _ in entries.values()),
        notices=tuple(notices),
        summary=summary,
    )


def _classes_folder(root: Path, jar: JarConfig) -> Path:
    """The configured classes folder, else the first usual compiler output that exists."""
    candidates = jar.classes_candidates(root)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    if jar.classes is not None:
        raise ConfigError(
            f"{jar.table_path}.classes: {_shown(candidates[0], root)} does not exist; compile first "
            f"({COMPILE_HINT}) or point `classes` at your compiler's output folder"
        )
    raise ConfigError(
        f"no compiled classes: none of {', '.join(_shown(c, root) for c in candidates)} exists in {root}; "
        f"compile first ({COMPILE_HINT}) or set `classes` under [{jar.table_path}]"
    )


def _dependency_jars(root: Path, jar: JarConfig) -> list[Path]:
    """Every `*.jar` directly in the lib folder, sorted; no folder, no dependencies (unless it was set)."""
    folder = jar.lib_candidate(root)
    if not folder.is_dir():
        if jar.lib is not None:
            raise ConfigError(
                f"{jar.table_path}.lib: {_shown(folder, root)} is not a folder; it should hold the "
                "dependency jars to bundle (`mvn dependency:copy-dependencies -DoutputDirectory=lib`)"
            )
        return []
    return sorted(
        (p for p in folder.iterdir() if p.name.lower().endswith(".jar") and p.is_file()), key=lambda p: p.name
    )


def _asset(root: Path, asset: Path, option: str) -> tuple[Path, str]:
    """The asset path and its name in the jar: its path relative to the project root."""
    path = Path(os.path.normpath(root / asset))
    relative = os.path.relpath(path, os.path.normpath(root))
    if relative == "." or relative.startswith(".."):
        raise ConfigError(
            f"{option}: {asset} is not inside the project; assets go into the jar under their path "
            'relative to the project root, so list a folder of the project (e.g. "assets")'
        )
    if not path.exists():
        raise ConfigError(f"{option}: {_shown(path, root)} does not exist")
    return path, Path(relative).as_posix()


def _walk(folder: Path) -> Iterator[tuple[str, Path]]:
    """(jar name, path) of every file below `folder`, sorted; symlinks followed, each folder once."""
    seen: set[tuple[int, int]] = set()
    for current, dirs, files in os.walk(folder, followlinks=True, onerror=_raise):
        info = Path(current).stat()
        if (info.st_dev, info.st_ino) in seen:  # a symlink loop or a second link to one folder
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(files):
            path = Path(current, name)
            if name in SKIPPED_FILES or not path.is_file():  # broken links, sockets
                continue
            yield path.relative_to(folder).as_posix(), path


def _raise(error: OSError) -> None:
    """os.walk skips unreadable folders silently by default: a jar missing classes must not be."""
    raise error


class JarBuilder(BuilderInterface[BuilderConfig, PluginManager]):
    """`hatch build -t jar` -> `dist/<name>-<version>.jar`, the deployable connector jar.

    Options live under `[tool.hatch.build.targets.jar]`: `classes`, `lib`, `assets` (see
    `config.load_jar_config`). The manifest and adapter path come from the `harmony` build
    hook through build_data, which hatchling passes to `build_standard` as keywords.
    """

    PLUGIN_NAME = "jar"

    def get_version_api(self) -> dict[str, Callable[..., str]]:
        return {"standard": self.build_standard}

    def get_default_versions(self) -> list[str]:
        return ["standard"]

    def clean(self, directory: str, versions: list[str]) -> None:
        """Remove only this project's jars: dist/ is shared with the wheel, sdist and other projects."""
        for path in made_jars(Path(directory), self.metadata.core.name):
            path.unlink()

    def build_standard(self, directory: str, **build_data: Any) -> str:
        try:
            return str(self._build(Path(directory), build_data, os.environ))
        except HarmonyError as exc:
            self.app.abort(f"hatch-harmony: {exc.message}", code=exc.exit_code)
            raise SystemExit(exc.exit_code) from None  # abort() exits; this keeps the types honest

    def _build(self, directory: Path, build_data: Mapping[str, Any], environ: Mapping[str, str]) -> Path:
        from .config import load_jar_config
        from .jarfile import source_date_epoch, write_jar

        manifest = build_data.get(MANIFEST_KEY)
        adapter = build_data.get(ADAPTER_KEY)
        if not isinstance(manifest, bytes) or not isinstance(adapter, str):
            raise ConfigError(self._missing_hook_message())
        root = Path(self.root)
        table_path = f"tool.hatch.build.targets.{self.PLUGIN_NAME}"
        config = load_jar_config(self.target_config, root, table_path=table_path)
        target = directory / jar_file_name(self.metadata.core.name, self.metadata.version)
        epoch = source_date_epoch(environ)
        try:
            plan = plan_jar(root, config, manifest=manifest, adapter=Path(adapter))
            for notice in plan.notices:
                self.app.display_warning(f"jar: {notice}")
            self.app.display_info(f"jar: {plan.summary}")
            return write_jar(target, plan.manifest, plan.entries, epoch=epoch)
        except ValueError as exc:  # a file/folder name clash between sources
            raise ConfigError(f"{_shown(target, root)}: {exc}") from None
        except OSError as exc:  # an unreadable input, a full disk: the previous jar is untouched
            raise HarmonyError(f"could not build {_shown(target, root)}: {exc}") from None

    def _missing_hook_message(self) -> str:
        configured = "harmony" in self.build_config.get("hooks", {}) or "harmony" in self.target_config.get(
            "hooks", {}
        )
        if configured:
            return (
                "the jar target needs the manifest of the `harmony` build hook, which is disabled "
                "(enable-by-default = false); run with HATCH_BUILD_HOOK_ENABLE_HARMONY=true"
            )
        return (
            "the jar target needs the manifest of the `harmony` build hook, which is not configured. "
            'Add to pyproject.toml:\n\n    [tool.hatch.build.hooks.harmony]\n    adapter = "adapter.json"\n'
        )
