"""Where an existing connector keeps its parts, decided from pom.xml or the usual folders.

The rule of `hatch-harmony init`: what it cannot decide it asks for as an option, it never
guesses silently. So every choice here is either read from a file (the pom, the committed
manifest), the one candidate that exists, or an option the user passed; two candidates, or
none where one is needed, stop with one message naming the option. Each decision also
leaves a line in `notes`, so the report says where it came from.

With a pom the jar packs Maven's `outputDirectory` as Maven's own jar does: Maven's
resources phase has copied `ui/`, `assets/` (with `targetPath`) and `src/main/resources`
there, and `copy-dependencies` the bundled jars into its `lib/`; the `assets` option would
only duplicate those copies (and miss `targetPath`, includes and filtering), so it is left
out. Without a pom, `assets/` and `lib/` are the documented folders of the jar target.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_harmony import vocabulary as words
from hatch_harmony.config import DEFAULT_MANIFEST, DEFAULT_UI_FILE
from hatch_harmony.errors import ConfigError
from hatch_harmony.init.pom import Pom, read_pom
from hatch_harmony.jar.config import DEFAULT_CLASSES_DIRS, DEFAULT_LIB_DIR
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.adapter import DEFAULT_LOCATIONS, Adapter, load_adapter

#: Where a committed connector manifest usually sits when no pom names it.
MANIFEST_CANDIDATES = (
    "src/main/resources/META-INF/MANIFEST.MF",
    "src/main/manifest/MANIFEST.MF",
    "META-INF/MANIFEST.MF",
    "MANIFEST.MF",
    "MANIFEST.MF.in",
)
#: Maven's lifecycle up to `package`, to name the one phase that compiles, copies resources
#: and runs every copy-dependencies execution the jar needs.
LIFECYCLE = [
    "validate",
    "initialize",
    "generate-sources",
    "process-sources",
    "generate-resources",
    "process-resources",
    "compile",
    "process-classes",
    "generate-test-sources",
    "process-test-sources",
    "generate-test-resources",
    "process-test-resources",
    "test-compile",
    "process-test-classes",
    "test",
    "prepare-package",
    "package",
]
_PROJECT_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")


@dataclass(frozen=True)
class Choices:
    """What the user decided on the command line (None: let init find it)."""

    adapter: str | None = None
    manifest_template: str | None = None
    classes: str | None = None
    lib: str | None = None
    project_name: str | None = None
    project_version: str | None = None


@dataclass(frozen=True)
class Layout:
    """The connector's parts, as project-relative posix paths, and why each was chosen."""

    root: Path
    pom: Pom | None
    adapter: Adapter
    adapter_path: str
    ui_file: str
    template: str | None
    classes: str
    lib: str | None
    assets: tuple[str, ...]
    project_name: str
    project_version: str | None
    compile_command: str
    notes: tuple[str, ...]


def _is_connector_manifest(root: Path, relative: str) -> bool:
    """A readable manifest with at least one Jitterbit attribute; a malformed one is one clear error."""
    path = root / relative
    parsed = Manifest.parse(path.read_bytes(), source=relative)
    return any(name.lower().startswith(words.JITTERBIT_PREFIX.lower()) for name in parsed.main.names())


def _template(
    root: Path, pom: Pom | None, choices: Choices, notes: list[str], hook: Mapping[str, Any] | None
) -> str | None:
    if choices.manifest_template is not None:
        path = Path(os.path.normpath(root / choices.manifest_template))
        if not path.is_file() or not path.is_relative_to(root):
            raise ConfigError(
                f"--manifest-template: {choices.manifest_template} is not a file of the project (init edits "
                "it: its key and secret become placeholders)"
            )
        relative = path.relative_to(root).as_posix()
        _is_connector_manifest(root, relative)
        notes.append(f"manifest template: {relative} (--manifest-template)")
        return relative
    if pom is not None and pom.manifest_file is not None and _generated(pom.manifest_file, hook):
        # init pointed Maven at the generated manifest (a run before this one): the template is the table's
        template = (hook or {}).get("manifest-template")
        if not isinstance(template, str):
            raise ConfigError(
                f"pom.xml: maven-jar-plugin's <manifestFile> is {pom.manifest_file}, the manifest "
                "hatch-harmony generates; pass --manifest-template PATH (your committed manifest, "
                "placeholders "
                "and all)"
            )
        notes.append(
            f"manifest template: {template} (pyproject.toml; pom.xml packages the generated manifest)"
        )
        return template
    if pom is not None and pom.manifest_file is not None:
        if not (root / pom.manifest_file).is_file():
            raise ConfigError(
                f"pom.xml: maven-jar-plugin's <manifestFile> is {pom.manifest_file}, which does not exist; "
                "restore it from git, or pass --manifest-template PATH (your committed manifest)"
            )
        _is_connector_manifest(root, pom.manifest_file)
        notes.append(f"manifest template: {pom.manifest_file} (pom.xml: maven-jar-plugin <manifestFile>)")
        return pom.manifest_file
    found = [c for c in MANIFEST_CANDIDATES if (root / c).is_file() and _is_connector_manifest(root, c)]
    if len(found) > 1:
        raise ConfigError(
            f"several connector manifests: {', '.join(found)}; pass --manifest-template PATH with the one "
            "your jars ship (its ids are kept)"
        )
    if found:
        notes.append(f"manifest template: {found[0]} (the only connector manifest found)")
        return found[0]
    notes.append(
        "manifest template: none found (looked for " + ", ".join(MANIFEST_CANDIDATES) + "); builds start "
        "from an empty manifest. If your jars shipped ids, pass --manifest-template PATH to keep them"
    )
    return None


def _generated(manifest_file: str, hook: Mapping[str, Any] | None) -> bool:
    """Whether the pom's manifestFile is where the hook table (or the default) writes the manifest."""
    written = (hook or {}).get("manifest", DEFAULT_MANIFEST)
    return isinstance(written, str) and os.path.normpath(written) == os.path.normpath(manifest_file)


def _ui_file(root: Path, template: str | None) -> str:
    if template is None:
        return DEFAULT_UI_FILE
    value = Manifest.parse((root / template).read_bytes(), source=template).get(words.CONNECTOR_UI)
    return value.strip() if value and not words.is_placeholder(value) else DEFAULT_UI_FILE


def _adapter_candidates(root: Path, pom: Pom | None, ui_file: str) -> list[str]:
    """Where Maven's resources put the UI file at the jar root (targetPath honoured), or the defaults."""
    found: list[str] = []
    if pom is not None:
        for resource in pom.resources:
            prefix = f"{resource.target_path}/" if resource.target_path else ""
            if ui_file.startswith(prefix):
                path = f"{resource.directory}/{ui_file[len(prefix) :]}"
                if (root / path).is_file() and path not in found:
                    found.append(path)
        return found
    return [c for c in DEFAULT_LOCATIONS if (root / c).is_file()]


def _adapter(root: Path, pom: Pom | None, ui_file: str, choices: Choices, notes: list[str]) -> str:
    if choices.adapter is not None:
        if not (root / choices.adapter).is_file():
            raise ConfigError(f"--adapter: {choices.adapter} is not a file of the project")
        notes.append(f"adapter: {choices.adapter} (--adapter)")
        return choices.adapter
    found = _adapter_candidates(root, pom, ui_file)
    if len(found) > 1:
        raise ConfigError(
            f"several files could be the connector's {ui_file}: {', '.join(found)}; pass --adapter PATH"
        )
    if not found:
        where = "in pom.xml's resource folders" if pom is not None else "at " + " or ".join(DEFAULT_LOCATIONS)
        raise ConfigError(f"no {ui_file} found {where}; pass --adapter PATH (the connector's adapter.json)")
    how = "a pom.xml resource folder" if pom is not None else "the usual place"
    notes.append(f"adapter: {found[0]} ({how})")
    return found[0]


def _classes(root: Path, pom: Pom | None, choices: Choices, notes: list[str]) -> str:
    if choices.classes is not None:
        notes.append(f"classes: {choices.classes} (--classes)")
        return choices.classes
    if pom is not None:
        notes.append(f"classes: {pom.output_directory} (Maven's output folder, what maven-jar-plugin packs)")
        return pom.output_directory
    if any((root / name).is_file() for name in ("build.gradle", "build.gradle.kts")):
        notes.append("classes: build/classes/java/main (Gradle's output folder)")
        return "build/classes/java/main"
    found = [c for c in DEFAULT_CLASSES_DIRS if (root / c).is_dir()]
    if len(found) != 1:
        what = f"several: {', '.join(found)}" if found else "none of " + ", ".join(DEFAULT_CLASSES_DIRS)
        raise ConfigError(f"where are the compiled classes? Found {what}; pass --classes DIR")
    notes.append(f"classes: {found[0]} (the only compiler output folder found)")
    return found[0]


def _extra_lib_jars(root: Path) -> list[str]:
    """Jars in lib/ the jar target would bundle by default (the SDK never is)."""
    from hatch_harmony.jar.layout import SDK_JAR

    folder = root / DEFAULT_LIB_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.suffix.lower() == ".jar" and not SDK_JAR.fullmatch(p.name)
    )


def _lib(root: Path, pom: Pom | None, classes: str, choices: Choices, notes: list[str]) -> str | None:
    if choices.lib is not None:
        notes.append(f"lib: {choices.lib} (--lib): every jar in it is bundled under lib/")
        return choices.lib
    if pom is None:
        if (root / DEFAULT_LIB_DIR).is_dir():
            notes.append("lib: lib (its jars are bundled under lib/, the Jitterbit SDK excepted)")
            return DEFAULT_LIB_DIR
        return None
    for copy in pom.copy_dependencies:
        if copy.output_directory == f"{classes}/lib":
            notes.append(
                f"dependencies: copy-dependencies puts them in {copy.output_directory}, packed as lib/"
            )
        elif copy.output_directory.startswith(f"{classes}/"):
            raise ConfigError(
                f"pom.xml: copy-dependencies writes into {copy.output_directory}, which a jar holds as "
                f"{copy.output_directory[len(classes) + 1 :]}/, but the agent loads dependencies from "
                "lib/*.jar; set its <outputDirectory> to ${project.build.directory}/classes/lib and run "
                "init again"
            )
        else:
            notes.append(
                f"dependencies: copy-dependencies writes into {copy.output_directory}, outside {classes}, "
                "so Maven's jar does not hold them and neither will this one; pass "
                f"--lib {copy.output_directory} to bundle them"
            )
    extra = _extra_lib_jars(root)
    if extra:
        raise ConfigError(
            f"lib/ holds {', '.join(extra)}, which Maven's jar does not bundle, but the jar target bundles "
            "every jar in lib/ (all but the Jitterbit SDK); pass --lib lib to bundle them, or move them "
            "out of lib/"
        )
    return None


def _version_problem(version: str) -> str | None:
    from packaging.version import InvalidVersion, Version

    try:
        Version(version)
    except InvalidVersion:
        return "is not a Python (PEP 440) version, which [project] needs"
    return None


def _project(
    pom: Pom | None, adapter: Adapter, choices: Choices, notes: list[str], existing: Mapping[str, Any] | None
) -> tuple[str, str | None]:
    """[project] name and version: an existing [project]'s, else the options, pom.xml, adapter.json's."""
    if existing is not None:
        name, version = existing.get("name"), existing.get("version")
        notes.append("project: the [project] table of pyproject.toml, kept as it is")
        return str(name or ""), version if isinstance(version, str) else None
    slug = re.sub(r"[^A-Za-z0-9]+", "-", adapter.name).strip("-").lower() + "-connector"
    name, name_from = next(
        (v, f)
        for v, f in (
            (choices.project_name, "--project-name"),
            (pom and pom.artifact_id, "pom.xml <artifactId>"),
            (slug, "adapter.json's name"),
        )
        if v
    )
    if not _PROJECT_NAME.fullmatch(name):
        raise ConfigError(
            f"{name_from}: {name!r} is not a valid Python project name; pass --project-name NAME"
        )
    sources = ((choices.project_version, "--project-version"), (pom and pom.version, "pom.xml <version>"))
    version, version_from = next(
        ((v, f) for v, f in (*sources, (adapter.version, "adapter.json")) if v), (None, "")
    )
    if version is None:
        raise ConfigError(
            "no version for [project]: neither pom.xml nor adapter.json has one; pass --project-version "
            "VERSION (the version the connector is registered with, when adapter.json has none)"
        )
    if problem := _version_problem(version):
        raise ConfigError(
            f"{version_from}: {version!r} {problem}; pass --project-version (e.g. 1.0.0). Harmony registers "
            "adapter.json's version, else this one: if the connector was registered as "
            f'{version!r}, add "version": "{version}" to adapter.json'
        )
    notes.append(f"project: {name} {version} (name from {name_from}, version from {version_from})")
    if adapter.version:
        notes.append(f"registration: {adapter.name!r} {adapter.version} (adapter.json's name and version)")
    else:
        notes.append(
            f"registration: {adapter.name!r} {version} (adapter.json has no version: the project's; pass "
            "--project-version if the connector is registered with another)"
        )
    return name, version


def _compile_command(root: Path, pom: Pom | None, classes: str) -> str:
    """The one command that leaves `classes` as the jar needs it."""
    if pom is not None:
        phases = [
            "compile",
            *(c.phase for c in pom.copy_dependencies if c.output_directory.startswith(f"{classes}/")),
        ]
        known = [p for p in phases if p in LIFECYCLE]
        return f"mvn {max(known, key=LIFECYCLE.index)}"
    if any((root / name).is_file() for name in ("build.gradle", "build.gradle.kts")):
        return "./gradlew classes" if (root / "gradlew").is_file() else "gradle classes"
    sources = "src" if (root / "src").is_dir() else "."
    return f"javac -d {classes} $(find {sources} -name '*.java')"


def detect(
    root: Path,
    choices: Choices,
    existing_project: Mapping[str, Any] | None = None,
    existing_hook: Mapping[str, Any] | None = None,
) -> Layout:
    """Read the project; one ConfigError naming the file, key and option for whatever cannot be decided.

    `existing_project` is pyproject.toml's [project] table when it has one: init never rewrites it.
    `existing_hook` is its hook table: once init pointed the pom at the generated manifest, the
    template is the one that table names.
    """
    notes: list[str] = []
    pom = read_pom(root / "pom.xml") if (root / "pom.xml").is_file() else None
    if pom is not None and pom.has_parent:
        notes.append("pom.xml has a <parent>, which init does not read: check its resources and jar plugin")
    if pom is not None and pom.profiles_with_build:
        notes.append("pom.xml has profiles with build settings; init read the default build only")
    template = _template(root, pom, choices, notes, existing_hook)
    ui_file = _ui_file(root, template)
    adapter_path = _adapter(root, pom, ui_file, choices, notes)
    adapter = load_adapter(root / adapter_path)
    classes = _classes(root, pom, choices, notes)
    lib = _lib(root, pom, classes, choices, notes)
    assets: Sequence[str] = () if pom is not None or not (root / "assets").is_dir() else ("assets",)
    name, version = _project(pom, adapter, choices, notes, existing_project)
    return Layout(
        root=root,
        pom=pom,
        adapter=adapter,
        adapter_path=adapter_path,
        ui_file=ui_file,
        template=template,
        classes=classes,
        lib=lib,
        assets=tuple(assets),
        project_name=name,
        project_version=version,
        compile_command=_compile_command(root, pom, classes),
        notes=tuple(notes),
    )
