"""What goes into the connector jar, under which names: decided before a byte is written.

The layout (documented in the README, "The jar"):

    META-INF/MANIFEST.MF      the hook's manifest, Class-Path = the bundled lib/*.jar
    <Jitterbit-Connector-UI>  the adapter.json the hook validated, under the manifest's UI name
    com/example/...           the contents of the compiled classes folder, at the root
    lib/<dependency>.jar      every *.jar directly in the `lib` folder
    <asset folder>/...        each `assets` folder under its path relative to the project root
    <force-include path>      each file or folder hatchling's `force-include` maps to a jar path

hatchling's selection decides, by jar path, which of the files `classes`, `lib` and `assets`
give go in (`include`, `exclude`, `artifacts`; `skip-excluded-dirs` prunes the walk);
`force-include` files always go in and win over what a folder gives at the same path, as in
a wheel. Copies of MANIFEST.MF or of the UI file in the folders (Maven copies
`src/main/resources` into `target/classes`) are replaced by the build's own; a file that two
folders give with the same bytes (Maven also copies `assets/` there) is bundled once; two
different files under one name are an error, never a silent overwrite.

Class-Path is what the agent's class loader follows, so it lists exactly the `lib/*.jar`
entries the jar holds, whichever source put them there. A template's Class-Path is not
trusted (Jitterbit's sample lists ten jars and ships one): entries the jar does not bundle
are dropped with one warning naming them. The Jitterbit connector SDK is provided by the
agent (a system-scope dependency in Jitterbit's pom, never bundled by Maven), so it is left
out from every source unless `bundle-sdk = true`.

Pure but for reading folders; `builder.JarBuilder` shows the result and `archive` writes it.
"""

from __future__ import annotations

import filecmp
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from hatch_harmony import vocabulary as words
from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.errors import shown_path as _shown
from hatch_harmony.jar.archive import MANIFEST_NAME, JarEntry, check_entry_name
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project import connector_manifest as cm

if TYPE_CHECKING:
    from hatch_harmony.jar.config import JarBuilderConfig

DEFAULT_UI_FILE = "adapter.json"
COMPILE_HINT = "javac -d build/classes $(find src -name '*.java'), mvn compile or gradle classes"

#: The Jitterbit connector SDK jar as Maven names it (`jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar`,
#: artifactId-version): the agent provides it, so a second copy in the connector would only
#: risk a version clash. An optional version that starts with a digit, nothing else, so that
#: e.g. a `jitterbit-connector-sdk-extras.jar` of the project's own is not mistaken for it.
SDK_JAR = re.compile(r"jitterbit-connector-sdk(?:-[0-9][^/]*)?\.jar", re.IGNORECASE)
#: The compile-only stand-in `hatch-harmony init` generates: an SDK jar by the rule above, and
#: never bundled, not even with `bundle-sdk = true` (its classes are empty shells).
STAND_IN_JAR = "jitterbit-connector-sdk-0.0.0-stand-in.jar"
CLASS_PATH_FOLDER = "lib/"


@dataclass(frozen=True)
class JarPlan:
    """What goes into the jar: the final manifest bytes, the other entries, and what to tell the user.

    `notices` are warnings (something in the project disagrees with the jar, e.g. an asset
    holding a stale copy of the UI file); `notes` are expected decisions worth one line (the
    SDK left out), shown as information so that a correct Maven layout builds without warnings.
    `once` are warnings about a committed file that the user may well keep as it is (template
    Class-Path entries the jar does not bundle): said when they change, not on every build.
    """

    manifest: bytes
    entries: tuple[JarEntry, ...]
    notices: tuple[str, ...]
    summary: str
    notes: tuple[str, ...] = ()
    once: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Source:
    entry: JarEntry
    shown: str  # where it comes from, as messages show it
    forced: bool


class _Entries:
    """The entries collected so far, and the rules every file obeys whichever source gives it."""

    def __init__(self, root: Path, jar: JarBuilderConfig, ui_name: str, adapter: Path) -> None:
        self.root, self.jar, self.ui_name, self.adapter = root, jar, ui_name, adapter
        self.files: dict[str, _Source] = {
            ui_name: _Source(JarEntry.from_file(ui_name, adapter), self._shown(adapter), True)
        }
        self.notices: list[str] = []
        self.skipped_sdk: list[str] = []
        self.skipped_stand_in: list[str] = []

    def _shown(self, path: Path) -> str:
        return _shown(path, self.root)

    def add(self, name: str, path: Path, *, forced_by: str | None = None) -> bool:
        """Bundle `path` as `name` unless a rule says otherwise (then False); `forced_by`: force-include."""
        shown = self._shown(path)
        if name.upper() == MANIFEST_NAME or name == self.ui_name:
            if forced_by is not None:
                raise ConfigError(
                    f"{forced_by}: {shown} would replace {name}, which the harmony build hook writes; "
                    "take it out of force-include (the hook's `ui-file`/`adapter` options choose the UI file)"
                )
            if name == self.ui_name and path.read_bytes() != self.adapter.read_bytes():
                self.notices.append(
                    f"{shown} differs from {self._shown(self.adapter)}; the jar gets the latter"
                )
            return False  # a stale copy: the hook's manifest and adapter are the ones that ship
        if _is_generated_manifest(path):
            where = (
                forced_by
                or f"{self.jar.table_path}.classes/.assets (list the asset folders themselves, not build/)"
            )
            raise ConfigError(
                f"{shown} is a generated manifest holding a connector secret (another environment's?), and "
                f"a jar ships its manifest only as {MANIFEST_NAME}. Take its folder out of {where}."
            )
        base = name.rsplit("/", 1)[-1]
        if base.lower() == STAND_IN_JAR:
            self.skipped_stand_in.append(shown)  # compile-only: never loadable, never bundled
            return False
        if not self.jar.bundle_sdk and SDK_JAR.fullmatch(base):
            self.skipped_sdk.append(shown)  # provided by the agent, whichever folder it sits in
            return False
        first = self.files.get(name)
        if first is not None:
            self._same_name(name, first, path, shown, forced=forced_by is not None)
            return False
        try:
            entry = JarEntry.from_file(name, path)
        except ValueError as exc:  # only a force-include target can be a bad name; folders give clean ones
            raise ConfigError(f"{forced_by}: {shown}: {exc}") from None
        self.files[name] = _Source(entry, shown, forced_by is not None)
        return True

    def _same_name(self, name: str, first: _Source, path: Path, shown: str, *, forced: bool) -> None:
        """A second file for one name: force-include wins over folders; equal bytes ship once."""
        if first.forced and not forced:
            return  # hatchling's rule: a forced file replaces what the selection gives at its path
        if first.entry.source is not None and filecmp.cmp(first.entry.source, path, shallow=False):
            return  # Maven's resources phase copies assets/ into target/classes: one copy ships
        raise ConfigError(
            f"two files would be {name!r} in the jar: {first.shown} and {shown}, with different "
            f"contents; rename or remove one (check {self.jar.table_path}.classes, .lib, .assets and "
            ".force-include)"
        )


def plan_jar(root: Path, jar: JarBuilderConfig, *, manifest: bytes, adapter: Path) -> JarPlan:
    """Decide every entry of the connector jar; raise ConfigError naming the option to fix."""
    parsed = Manifest.parse(manifest, source="the manifest from the harmony build hook")
    ui_name = _ui_name(parsed)
    if not adapter.is_file():
        raise ConfigError(f"{adapter}: the adapter file to bundle as {ui_name} does not exist")
    entries = _Entries(root, jar, ui_name, adapter)
    forced = _add_forced(entries, jar)
    classes = _classes_folder(root, jar)
    class_files = _add_classes(entries, jar, classes)
    for path in _dependency_jars(root, jar):
        name = f"{CLASS_PATH_FOLDER}{path.name}"
        if jar.bundles(name):
            entries.add(name, path)
    for index, asset in enumerate(jar.assets):
        folder, prefix = _asset(root, asset, f"{jar.table_path}.assets[{index}]")
        files = [(prefix, folder)] if folder.is_file() else _walk(folder, prefix, jar)
        for name, path in files:
            if jar.bundles(name):
                entries.add(name, path)

    _check_icons(entries, adapter, jar)
    class_path = sorted(name for name in entries.files if on_class_path(name))
    dropped = _not_bundled(parsed.get(words.CLASS_PATH), class_path)
    once = (_dropped_notice(dropped, _shown(classes, root)),) if dropped else ()
    cm.set_class_path(parsed, class_path)
    notes = [_sdk_note(entries.skipped_sdk, jar.table_path)] if entries.skipped_sdk else []
    if entries.skipped_stand_in:
        notes.append(
            f"not bundled: {', '.join(entries.skipped_stand_in)}, the compile-only SDK stand-in "
            "(hatch-harmony generates it for javac; the agent provides the real SDK)"
        )

    shown_adapter = _shown(adapter, root)
    summary = (
        f"classes from {_shown(classes, root)} ({class_files} .class files), "
        f"{len(class_path)} dependency jar{'s' if len(class_path) != 1 else ''} on Class-Path, "
        f"UI file {ui_name}{'' if shown_adapter == ui_name else f' (from {shown_adapter})'}"
    )
    if jar.assets:
        summary += ", assets: " + ", ".join(_shown(a, root) for a in jar.assets)
    if forced:
        summary += f", {forced} file{'s' if forced != 1 else ''} from force-include"
    return JarPlan(
        manifest=parsed.to_bytes(),
        entries=tuple(source.entry for source in entries.files.values()),
        notices=tuple(entries.notices),
        summary=summary,
        notes=tuple(notes),
        once=once,
    )


def _check_icons(entries: _Entries, adapter: Path, jar: JarBuilderConfig) -> None:
    """Every icon adapter.json names must be in the jar: Studio shows a blank where one is missing."""
    from hatch_harmony.project.adapter import load_adapter

    for key, icon in load_adapter(adapter).icons:
        name = posixpath.normpath(icon.lstrip("/")) if icon.strip("/") else icon
        if name in entries.files:
            continue
        folder = posixpath.dirname(name)
        top = name.split("/", 1)[0]
        if not folder:
            where = f"put {name} in the classes folder, or map it with {jar.table_path}.force-include"
        elif any(
            os.path.relpath(os.path.normpath(entries.root / a), entries.root) == top for a in jar.assets
        ):
            where = f"put the file into the folder {folder}/ of the project"
        else:
            where = f'put the file into the folder {folder}/ and add "{top}" to {jar.table_path}.assets'
        raise ConfigError(
            f"{_shown(adapter, entries.root)}: `{key}` names {icon}, which the jar does not hold: {where}, "
            "or fix the path (a path inside the jar, from its root)"
        )


def _add_forced(entries: _Entries, jar: JarBuilderConfig) -> int:
    """hatchling's forced inclusion (the option and build hooks' `force_include`), walked by hatchling."""
    count = 0
    for source, target in jar.get_force_include().items():
        option = (
            f"{jar.table_path}.force-include"
            if source in jar.force_include
            else "a build hook's force_include"
        )
        try:
            for included in jar.builder.recurse_forced_files({source: target}):
                name = included.distribution_path.replace(os.sep, "/")
                count += entries.add(name, Path(included.path), forced_by=option)
        except FileNotFoundError:
            raise ConfigError(
                f"{option}: {_shown(Path(source), entries.root)} does not exist; fix the path (relative to "
                "the project) or remove the entry"
            ) from None
    return count


def _add_classes(entries: _Entries, jar: JarBuilderConfig, classes: Path) -> int:
    """Bundle the selected files of the classes folder at the jar root; the number of .class files bundled."""
    found = selected = 0
    for name, path in _walk(classes, "", jar):
        is_class = name.endswith(".class")
        found += is_class
        if jar.bundles(name):
            selected += is_class
            entries.add(name, path)
    shown = _shown(classes, entries.root)
    if not found:
        raise ConfigError(
            f"{shown} holds no .class files: compile first ({COMPILE_HINT}); "
            "a connector jar without code would not load"
        )
    if not selected:
        raise ConfigError(
            f"{jar.table_path}.include/.exclude leave none of the {found} .class files of {shown} in the "
            "jar; a connector jar without code would not load, so narrow the patterns (they match paths "
            "inside the jar)"
        )
    return selected


def _ui_name(parsed: Manifest) -> str:
    """The UI file's name in the jar, from `Jitterbit-Connector-UI`; ConfigError if it is no jar name."""
    ui_name = (parsed.get(words.CONNECTOR_UI) or "").strip() or DEFAULT_UI_FILE
    try:
        return check_entry_name(ui_name)
    except ValueError:
        raise ConfigError(
            f"{words.CONNECTOR_UI}: {ui_name!r} is not a file name inside a jar; use a plain name such as "
            f"{DEFAULT_UI_FILE!r} (set `ui-file` under [tool.hatch.build.hooks.harmony])"
        ) from None


def _sdk_note(skipped: list[str], table_path: str) -> str:
    """One line for every copy of the SDK left out, naming the option that would bundle it."""
    return (
        f"not bundled: {', '.join(skipped)}, the Jitterbit connector SDK, which the agent provides "
        f"(Maven's system scope); set bundle-sdk = true under [{table_path}] to bundle it"
    )


def on_class_path(name: str) -> bool:
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
    """A file with a real `Jitterbit-Connector-Secret`, read as a manifest: the hook's output, never an asset.

    Decided by content, not by path, so every environment's output (build/harmony/<env>/)
    and a copy made by hand are caught alike. To keep the walk cheap only files that may be
    a manifest are read: `*.MF` names, and links, whatever their name (a symlink, or a hard
    link: the same file under a second name, `readme.txt`, is the manifest all the same).
    """
    if not path.name.upper().endswith(".MF") and not _linked(path):
        return False
    try:
        if path.stat().st_size > MANIFEST_SIZE_LIMIT:
            return False
        data = path.read_bytes()
        if words.SECRET.encode() not in data:
            return False
        secret = Manifest.parse(data, source=str(path)).get(words.SECRET)
    except (OSError, HarmonyError):
        return False
    return secret is not None and not words.is_placeholder(secret)


#: Larger files are no generated manifest (99 activities and a 200-jar Class-Path make 11 KiB).
MANIFEST_SIZE_LIMIT = 1 << 20


def _linked(path: Path) -> bool:
    """A symlink, or a file with more than one name (a hard link)."""
    try:
        return path.is_symlink() or path.stat().st_nlink > 1
    except OSError:
        return False


def _classes_folder(root: Path, jar: JarBuilderConfig) -> Path:
    """The configured classes folder, else the first usual compiler output that exists."""
    candidates = jar.classes_candidates
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


def _dependency_jars(root: Path, jar: JarBuilderConfig) -> list[Path]:
    """Every `*.jar` directly in the lib folder, sorted; no folder, no dependencies (unless it was set)."""
    folder = jar.lib_candidate
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


def _walk(folder: Path, prefix: str, jar: JarBuilderConfig) -> Iterator[tuple[str, Path]]:
    """(jar name, path) of every file below `folder`, named `prefix/...`, sorted; symlinks followed once.

    Folders the selection prunes (`skip-excluded-dirs`) are not entered; an unreadable folder
    fails the build (os.walk would skip it silently, and a jar missing classes must not ship).
    """
    seen: set[tuple[int, int]] = set()
    base = f"{prefix}/" if prefix else ""
    for current, dirs, files in os.walk(folder, followlinks=True, onerror=_raise):
        info = Path(current).stat()
        if (info.st_dev, info.st_ino) in seen:  # a symlink loop or a second link to one folder
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        here = Path(current).relative_to(folder).as_posix()
        inside = base if here == "." else f"{base}{here}/"
        dirs[:] = sorted(d for d in dirs if not jar.prunes(f"{inside}{d}"))
        for name in sorted(files):
            path = Path(current, name)
            if path.is_file():  # not broken links, sockets
                yield f"{inside}{name}", path


def _raise(error: OSError) -> None:
    """os.walk skips unreadable folders silently by default: a jar missing classes must not be."""
    raise error
