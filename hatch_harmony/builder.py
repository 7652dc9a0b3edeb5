"""The `jar` build target: `hatch build -t jar` makes the connector jar a private agent loads.

A Harmony agent loads jars, not wheels, so the deployable artifact of a connector project
is built by hatch itself, with the manifest the `harmony` build hook just generated. The
layout (decided here, documented in the README):

    META-INF/MANIFEST.MF      the hook's manifest, Class-Path = the bundled lib/*.jar
    <Jitterbit-Connector-UI>  the adapter.json the hook validated, under the manifest's UI name
    com/example/...           the contents of the compiled classes folder, at the root
    lib/<dependency>.jar      every *.jar directly in the `lib` folder
    <asset folder>/...        each `assets` folder under its path relative to the project root

Copies of MANIFEST.MF or of the UI file found in the classes or asset folders (Maven copies
`src/main/resources` into `target/classes`) are replaced by the build's own; a file that two
sources give with the same bytes (Maven also copies `assets/` there) is bundled once; two
different files under one name are an error, never a silent overwrite.

Class-Path is what the agent's class loader follows, so it lists exactly the `lib/*.jar`
entries the jar holds, whichever source put them there: Maven's `copy-dependencies` into
`target/classes/lib` (Jitterbit's own layout) as much as the `lib` option. A template's
Class-Path is not trusted (Jitterbit's sample lists ten jars and ships one): entries the jar
does not bundle are dropped with one warning naming them. The Jitterbit connector SDK is
provided by the agent (a system-scope dependency in Jitterbit's pom, never bundled by
Maven), so it is left out from every source unless `bundle-sdk = true`.

`plan_jar` decides the entries (pure but for reading folders); `JarBuilder` is the thin
hatch glue; `jarfile` writes the bytes.
"""

from __future__ import annotations

import filecmp
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from hatchling.builders.config import BuilderConfig
from hatchling.builders.plugin.interface import BuilderInterface
from hatchling.plugin.manager import PluginManager

from .errors import ConfigError, HarmonyError
from .errors import shown_path as _shown

if TYPE_CHECKING:
    from .config import JarConfig
    from .jarfile import JarEntry
    from .manifest import Manifest

#: build_data keys filled by the `harmony` build hook (hooks.py); the hook runs first.
MANIFEST_KEY = "harmony_manifest"
ADAPTER_KEY = "harmony_adapter"

DEFAULT_UI_FILE = "adapter.json"
COMPILE_HINT = "javac -d build/classes $(find src -name '*.java'), mvn compile or gradle classes"

#: The Jitterbit connector SDK jar as Maven names it (`jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar`,
#: artifactId-version): the agent provides it, so a second copy in the connector would only
#: risk a version clash. An optional version that starts with a digit, nothing else, so that
#: e.g. a `jitterbit-connector-sdk-extras.jar` of the project's own is not mistaken for it.
SDK_JAR = re.compile(r"jitterbit-connector-sdk(?:-[0-9][^/]*)?\.jar", re.IGNORECASE)
CLASS_PATH_FOLDER = "lib/"

#: Never bundled from a folder: VCS and OS droppings, not part of any connector.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__"})
SKIPPED_FILES = frozenset({".DS_Store", "Thumbs.db", ".gitkeep"})


@dataclass(frozen=True)
class JarPlan:
    """What goes into the jar: the final manifest bytes, the other entries, and what to tell the user.

    `notices` are warnings (something in the project disagrees with the jar, e.g. a template
    Class-Path entry that is not bundled); `notes` are expected decisions worth one line (the
    SDK left out), shown as information so that a correct Maven layout builds without warnings.
    """

    manifest: bytes
    entries: tuple[JarEntry, ...]
    notices: tuple[str, ...]
    summary: str
    notes: tuple[str, ...] = ()


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
    from .jarfile import MANIFEST_NAME, JarEntry

    table_path = jar.table_path
    parsed = mf.Manifest.parse(manifest, source="the manifest from the harmony build hook")
    ui_name = _ui_name(parsed)
    if not adapter.is_file():
        raise ConfigError(f"{adapter}: the adapter file to bundle as {ui_name} does not exist")

    # jar name -> (entry, where it comes from, as shown in messages)
    entries: dict[str, tuple[JarEntry, str]] = {}
    entries[ui_name] = (JarEntry.from_file(ui_name, adapter), _shown(adapter, root))
    notices: list[str] = []
    skipped_sdk: list[str] = []

    def add(name: str, path: Path) -> None:
        shown = _shown(path, root)
        if name.upper() == MANIFEST_NAME:
            return  # a stale copy: the hook's manifest is the one that ships
        if _is_generated_manifest(path):
            raise ConfigError(
                f"{shown} is a generated manifest holding a connector secret (another environment's?), and "
                f"a jar ships its manifest only as {MANIFEST_NAME}. Take its folder out of "
                f"{table_path}.classes/.assets (list the asset folders themselves, not build/)."
            )
        if not jar.bundle_sdk and SDK_JAR.fullmatch(name.rsplit("/", 1)[-1]):
            skipped_sdk.append(shown)  # provided by the agent, whichever folder it sits in
            return
        if name == ui_name:
            if path.read_bytes() != adapter.read_bytes():
                notices.append(f"{shown} differs from {_shown(adapter, root)}; the jar gets the latter")
            return
        if name in entries:
            first, first_shown = entries[name]
            if first.source is not None and filecmp.cmp(first.source, path, shallow=False):
                return  # Maven's resources phase copies assets/ into target/classes: one copy ships
            raise ConfigError(
                f"two files would be {name!r} in the jar: {first_shown} and {shown}, with different "
                f"contents; rename or remove one (check {table_path}.classes, .lib and .assets)"
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
        add(f"{CLASS_PATH_FOLDER}{path.name}", path)

    for index, asset in enumerate(jar.assets):
        folder, prefix = _asset(root, asset, f"{table_path}.assets[{index}]")
        if folder.is_file():
            add(prefix, folder)
        else:
            for name, path in _walk(folder):
                add(f"{prefix}/{name}", path)

    class_path = sorted(name for name in entries if _on_class_path(name))
    dropped = _not_bundled(parsed.get(mf.CLASS_PATH), class_path)
    if dropped:
        notices.append(_dropped_notice(dropped, _shown(classes, root)))
    mf.set_class_path(parsed, class_path)
    notes = [_sdk_note(skipped_sdk, table_path)] if skipped_sdk else []

    shown_adapter = _shown(adapter, root)
    summary = (
        f"classes from {_shown(classes, root)} ({class_files} .class files), "
        f"{len(class_path)} dependency jar{'s' if len(class_path) != 1 else ''} on Class-Path, "
        f"UI file {ui_name}{'' if shown_adapter == ui_name else f' (from {shown_adapter})'}"
    )
    if jar.assets:
        summary += ", assets: " + ", ".join(_shown(root / a, root) for a in jar.assets)
    return JarPlan(
        manifest=parsed.to_bytes(),
        entries=tuple(entry for entry, _ in entries.values()),
        notices=tuple(notices),
        summary=summary,
        notes=tuple(notes),
    )


def _ui_name(parsed: Manifest) -> str:
    """The UI file's name in the jar, from `Jitterbit-Connector-UI`; ConfigError if it is no jar name."""
    from . import manifest as mf
    from .jarfile import check_entry_name

    ui_name = (parsed.get(mf.CONNECTOR_UI) or "").strip() or DEFAULT_UI_FILE
    try:
        return check_entry_name(ui_name)
    except ValueError:
        raise ConfigError(
            f"{mf.CONNECTOR_UI}: {ui_name!r} is not a file name inside a jar; use a plain name such as "
            f"{DEFAULT_UI_FILE!r} (set `ui-file` under [tool.hatch.build.hooks.harmony])"
        ) from None


def _sdk_note(skipped: list[str], table_path: str) -> str:
    """One line for every copy of the SDK left out, naming the option that would bundle it."""
    return (
        f"not bundled: {', '.join(skipped)}, the Jitterbit connector SDK, which the agent provides "
        f"(Maven's system scope); set bundle-sdk = true under [{table_path}] to bundle it"
    )


def _on_class_path(name: str) -> bool:
    """A jar directly in the jar's `lib/`: where the agent's class loader looks (`lib/*.jar`).

    Deeper jars (`lib/x/y.jar`) are bundled as plain files: neither Maven's copy-dependencies
    nor the `lib` option puts jars there, and Jitterbit documents `lib/*.jar`.
    """
    rest = name[len(CLASS_PATH_FOLDER) :]
    return name.startswith(CLASS_PATH_FOLDER) and "/" not in rest and rest.lower().endswith(".jar")


def _not_bundled(template: str | None, class_path: list[str]) -> list[str]:
    """Entries of the template's Class-Path that are not among `class_path`, in template order, once each.

    Class-Path entries are space-separated relative URLs: they are percent-decoded and
    normalised (`./lib/a.jar` is `lib/a.jar`) before being compared with jar entry names.
    """
    bundled = set(class_path)
    dropped: list[str] = []
    for raw in (template or "").split():
        entry = posixpath.normpath(unquote(raw))
        if entry not in bundled and raw not in dropped:
            dropped.append(raw)
    return dropped


def _dropped_notice(dropped: list[str], classes: str) -> str:
    """One warning for every template Class-Path entry left out, with both ways to fix it."""
    count = f"{len(dropped)} template entr{'ies' if len(dropped) != 1 else 'y'}"
    return (
        f"Class-Path: dropped {count} the jar does not bundle: {', '.join(dropped)}. Class-Path lists "
        f"exactly the bundled lib/*.jar; to ship a dependency, put its jar in `lib` or in {classes}/lib "
        "(Maven's copy-dependencies), else remove it from the template's Class-Path"
    )


def _is_generated_manifest(path: Path) -> bool:
    """A `*.MF` file with a real `Jitterbit-Connector-Secret`: the hook's output, never an asset.

    Decided by content, not by path, so every environment's output (build/harmony/<env>/)
    and a copy made by hand are caught alike; only `.MF` files are read, to keep the walk cheap.
    """
    if not path.name.upper().endswith(".MF"):
        return False
    from . import manifest as mf

    try:
        secret = mf.Manifest.parse(path.read_bytes(), source=str(path)).get(mf.SECRET)
    except (OSError, HarmonyError):
        return False
    return secret is not None and not mf.is_placeholder(secret)


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

    Options live under `[tool.hatch.build.targets.jar]`: `classes`, `lib`, `assets`,
    `bundle-sdk` (see `config.load_jar_config`). The manifest and adapter path come from the `harmony` build
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
            for note in plan.notes:
                self.app.display_info(f"jar: {note}")
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
