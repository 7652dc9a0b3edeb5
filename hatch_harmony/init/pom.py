"""What a connector's pom.xml says about packaging, read the way Maven would for the default build.

`hatch-harmony init` must build the jar Maven's `maven-jar-plugin` builds, so it reads the
sections that decide it (docs/architecture.md: how Jitterbit's own connectors are built):

* `build/outputDirectory` (default `${project.build.directory}/classes`): the folder the jar
  packs, where Maven's resources phase copies every resource folder (honouring `targetPath`,
  includes and filtering) and `copy-dependencies` often puts `lib/`;
* `build/resources`: where adapter.json and the committed manifest live in the source tree;
* the `maven-jar-plugin`'s `archive/manifestFile`: the committed manifest that ships;
* every `maven-dependency-plugin` `copy-dependencies` execution: its `outputDirectory` and phase;
* `groupId`/`artifactId`/`version`, inherited from `<parent>` when absent, for `[project]`.

Standard library only (`xml.etree.ElementTree`), namespace-aware: elements are matched by
local name, so a pom with or without the POM namespace reads the same. `${...}` is resolved
from `<properties>` and the `project.*` values Maven defines; anything else (a profile's or a
parent's property, a `-D` from the command line) cannot be known here, and the caller is told
which element and which option to pass instead. Parent POMs and profiles are not read: the
result says they exist, so init can say what it did not look at.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hatch_harmony.errors import ConfigError

MAX_POM_BYTES = 4 << 20
DEFAULT_COPY_PHASE = "process-sources"  # maven-dependency-plugin's copy-dependencies mojo
_PROPERTY = re.compile(r"\$\{([^}]*)\}")
_MAX_DEPTH = 10
#: The longest value a `${...}` expansion may reach. A version or a path is far shorter; a pom
#: whose properties nest many references per level would otherwise grow exponentially with the
#: depth (60 references over 9 levels is 60**9 characters) and keep init busy for ever.
MAX_EXPANDED = 4096


@dataclass(frozen=True)
class Resource:
    """One `<resource>`: its folder (project-relative, posix) and `targetPath` ("" when none)."""

    directory: str
    target_path: str


@dataclass(frozen=True)
class CopyDependencies:
    """One `copy-dependencies` execution: where the jars go (project-relative, posix) and when."""

    output_directory: str
    phase: str


@dataclass(frozen=True)
class Pom:
    path: Path
    group_id: str | None
    artifact_id: str | None
    version: str | None
    output_directory: str
    resources: tuple[Resource, ...]
    manifest_file: str | None
    copy_dependencies: tuple[CopyDependencies, ...]
    has_parent: bool
    profiles_with_build: bool
    manifest_file_text: str | None = None  # <manifestFile> as written, `${...}` and all


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: ET.Element | None, *names: str) -> ET.Element | None:
    """The first element down the path of local names, or None."""
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: ET.Element | None, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element: ET.Element | None, *names: str) -> str | None:
    found = _child(element, *names)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


class _Resolver:
    """`${name}` from `<properties>` and Maven's `project.*` values; unknown names stop with the fix."""

    def __init__(self, source: str, values: dict[str, str]) -> None:
        self.source = source
        self.values = values

    def __call__(self, text: str, where: str, fix: str) -> str:
        for _ in range(_MAX_DEPTH):
            names = _PROPERTY.findall(text)
            if not names:
                return text
            for name in names:
                if name not in self.values:
                    raise ConfigError(
                        f"{self.source}: {where} is {text!r}, and init cannot resolve ${{{name}}} (it is "
                        f"no <properties> entry or project value it knows); {fix}"
                    )
                reference, value = f"${{{name}}}", self.values[name]
                if len(text) + text.count(reference) * (len(value) - len(reference)) > MAX_EXPANDED:
                    raise ConfigError(
                        f"{self.source}: {where} grows past {MAX_EXPANDED} characters as its ${{...}} "
                        f"properties are expanded (${{{name}}} and what it refers to); {fix}"
                    )
                text = text.replace(reference, value)
        raise ConfigError(f"{self.source}: {where} refers to itself through its properties; {fix}")


def _parse(path: Path) -> ET.Element:
    shown = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot be read ({exc.strerror or exc}); check its permissions") from None
    if len(data) > MAX_POM_BYTES:
        raise ConfigError(f"{shown}: {len(data)} bytes is no pom.xml init can read (at most {MAX_POM_BYTES})")
    try:
        root = ET.fromstring(data)  # noqa: S314 (the user's own pom; expat refuses entity expansion bombs)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise ConfigError(
            f"{shown}: not well-formed XML (line {line}, column {column + 1}: {_reason(exc)}); fix the file "
            "(`mvn validate` reports the same) and run init again"
        ) from None
    if _local(root.tag) != "project":
        raise ConfigError(f"{shown}: the root element is <{_local(root.tag)}>, not <project>: is it a pom?")
    return root


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


def _relative(text: str, root: Path, where: str, source: str) -> str:
    """A pom path as a project-relative posix path; outside the project is refused (init writes those)."""
    candidate = Path(text)
    absolute = candidate if candidate.is_absolute() else root / candidate
    relative = os.path.relpath(os.path.normpath(absolute), os.path.normpath(root))
    if relative == ".." or relative.startswith(("../", "..\\")):
        raise ConfigError(
            f"{source}: {where} is {text!r}, outside the project; init configures the project's own folders"
        )
    return PurePosixPath(Path(relative)).as_posix()


def _plugins(build: ET.Element | None, artifact_id: str) -> list[ET.Element]:
    """The plugin's declarations in build/plugins, then build/pluginManagement/plugins."""
    found = []
    for holder in (_child(build, "plugins"), _child(build, "pluginManagement", "plugins")):
        found += [p for p in _children(holder, "plugin") if _text(p, "artifactId") == artifact_id]
    return found


def _manifest_file(build: ET.Element | None) -> tuple[str, str] | None:
    """(text, element path) of maven-jar-plugin's archive/manifestFile, plugin- or execution-level."""
    for plugin in _plugins(build, "maven-jar-plugin"):
        configurations = [_child(plugin, "configuration")]
        configurations += [
            _child(e, "configuration") for e in _children(_child(plugin, "executions"), "execution")
        ]
        for configuration in configurations:
            text = _text(configuration, "archive", "manifestFile")
            if text:
                return text, "maven-jar-plugin's <archive><manifestFile>"
    return None


def _copy_executions(build: ET.Element | None) -> list[tuple[str, str]]:
    """(outputDirectory text, phase) of every copy-dependencies execution in build/plugins."""
    found = []
    for plugin in _children(_child(build, "plugins"), "plugin"):
        if _text(plugin, "artifactId") != "maven-dependency-plugin":
            continue
        shared = _text(plugin, "configuration", "outputDirectory")
        for execution in _children(_child(plugin, "executions"), "execution"):
            goals = [(g.text or "").strip() for g in _children(_child(execution, "goals"), "goal")]
            if "copy-dependencies" not in goals:
                continue
            output = _text(execution, "configuration", "outputDirectory") or shared
            found.append(
                (
                    output or "${project.build.directory}/dependency",
                    _text(execution, "phase") or DEFAULT_COPY_PHASE,
                )
            )
    return found


def _values(project: ET.Element, version: str | None, group_id: str | None) -> dict[str, str]:
    """Maven's own `project.*` values, then the pom's <properties> (which cannot override them)."""
    values = {"project.basedir": ".", "basedir": "."}
    for key, value in (
        ("version", version),
        ("artifactId", _text(project, "artifactId")),
        ("groupId", group_id),
    ):
        if value:
            values[f"project.{key}"] = value
    if version:
        values["pom.version"] = version
    properties = _child(project, "properties")
    for prop in list(properties) if properties is not None else []:
        if _local(prop.tag):
            values.setdefault(_local(prop.tag), (prop.text or "").strip())
    return values


def _resources(build: ET.Element | None, path: _PathResolver) -> tuple[Resource, ...]:
    declared = _child(build, "resources")
    if declared is None:
        return (Resource("src/main/resources", ""),)  # Maven's default resource folder
    resources = []
    for element in _children(declared, "resource"):
        folder = _text(element, "directory")
        if folder is not None:
            target = path.resolve(
                _text(element, "targetPath") or "", "<resource><targetPath>", "pass --adapter PATH"
            )
            resources.append(
                Resource(path(folder, "<resource><directory>", "pass --adapter PATH"), target.strip("/"))
            )
    return tuple(resources)


class _PathResolver:
    """A pom path, `${...}` resolved, as a project-relative posix path (see `_relative`)."""

    def __init__(self, resolve: _Resolver, root: Path) -> None:
        self.resolve = resolve
        self.root = root

    def __call__(self, text: str, where: str, fix: str) -> str:
        return _relative(self.resolve(text, where, fix), self.root, where, self.resolve.source)


def read_pom(path: Path) -> Pom:
    """Read `path`; one ConfigError naming pom.xml, the element and the fix for anything it cannot use."""
    project = _parse(path)
    parent = _child(project, "parent")
    version = _text(project, "version") or _text(parent, "version")
    group_id = _text(project, "groupId") or _text(parent, "groupId")
    values = _values(project, version, group_id)
    resolve = _Resolver(path.name, values)
    to_path = _PathResolver(resolve, path.parent)
    build = _child(project, "build")
    directory = _text(build, "directory") or "${project.basedir}/target"
    values["project.build.directory"] = resolve(directory, "<build><directory>", "pass --classes DIR")
    output = _text(build, "outputDirectory") or "${project.build.directory}/classes"
    values["project.build.outputDirectory"] = output = to_path(
        output, "<build><outputDirectory>", "pass --classes DIR"
    )
    manifest = _manifest_file(build)
    copies = tuple(
        CopyDependencies(to_path(out, "copy-dependencies' <outputDirectory>", "pass --lib DIR"), phase)
        for out, phase in _copy_executions(build)
    )
    profiles = _children(_child(project, "profiles"), "profile")
    return Pom(
        path=path,
        group_id=group_id,
        artifact_id=_text(project, "artifactId"),
        version=resolve(version, "<version>", "pass --project-version VERSION") if version else None,
        output_directory=output,
        resources=_resources(build, to_path),
        manifest_file=to_path(*manifest, "pass --manifest-template PATH") if manifest else None,
        copy_dependencies=copies,
        has_parent=parent is not None,
        profiles_with_build=any(_child(p, "build") is not None for p in profiles),
        manifest_file_text=manifest[0] if manifest else None,
    )


_MANIFEST_FILE = re.compile(rb"(<(?:[\w.-]+:)?manifestFile>)([^<]*)(</(?:[\w.-]+:)?manifestFile>)")


def repoint_manifest_file(pom: Pom, target: str) -> bytes | None:
    """pom.xml with maven-jar-plugin's `<manifestFile>` at `target` (project-relative); None if it is already.

    Why: after init the committed manifest is a template with placeholders, and a pom
    that still packages it makes `mvn package` ship a jar no agent accepts, with exit 0.
    Pointing Maven at the manifest hatch-harmony generates (git-ignored) makes it fail
    loudly until `hatch-harmony manifest` (or a build) wrote it, and ship the real one
    after. Only the element's text changes, every other byte of the pom is kept; every
    `<manifestFile>` naming the old file (plugin, execution or pluginManagement level)
    is changed, and the result is read back the way `read_pom` reads it.
    """
    if pom.manifest_file is None or pom.manifest_file == target:
        return None
    data = pom.path.read_bytes()

    def replace(match: re.Match[bytes]) -> bytes:
        same = match.group(2).decode("utf-8", "replace").strip() == pom.manifest_file_text
        return match.group(1) + target.encode() + match.group(3) if same else match.group(0)

    edited = _MANIFEST_FILE.sub(replace, data)
    if edited == data:
        raise ConfigError(
            f"{pom.path.name}: maven-jar-plugin's <manifestFile> ({pom.manifest_file}) is written in a way "
            f"init cannot edit; set it to {target} by hand, so that Maven packages the manifest "
            "hatch-harmony writes instead of the template with placeholders"
        )
    reread = _manifest_file(_child(ET.fromstring(edited), "build"))  # noqa: S314 (the user's own pom)
    if reread is None or os.path.normpath(reread[0]) != os.path.normpath(target):
        raise ConfigError(
            f"{pom.path.name}: init could not point maven-jar-plugin's <manifestFile> at {target} "
            "(several plugin declarations?); set it by hand"
        )
    return edited
