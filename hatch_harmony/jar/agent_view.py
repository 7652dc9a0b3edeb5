"""The connector jar as an agent reads it: annotations, factory class, adapter.json, manifest ids.

An agent loads the class marked `@Connector`, creates it through the manifest's
`Jitterbit-Connector-Factory-Class`, and routes each activity to the class whose `@Activity(name)`
is the activity's key; Harmony shows what the jar's adapter.json describes. A jar that
disagrees with itself or with the project builds fine and fails only on the agent, so the
`jar` target checks it after every build, and `doctor` checks the newest jar against the
current adapter.json and lock (a jar built before the last change is stale).

The annotations are read from the class files' `RuntimeVisibleAnnotations` attribute by a
small class-file reader (JVM spec, chapter 4): no JVM is started. Only class files that
mention the SDK's annotation package are parsed, so the step stays cheap on large jars.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatch_harmony import vocabulary as words
from hatch_harmony.errors import HarmonyError

if TYPE_CHECKING:
    from hatch_harmony.project.adapter import Adapter

ANNOTATION_PACKAGE = b"org/jitterbit/connector/sdk/annotation/"
CONNECTOR = "Lorg/jitterbit/connector/sdk/annotation/Connector;"
ACTIVITY = "Lorg/jitterbit/connector/sdk/annotation/Activity;"
_MANIFEST = "META-INF/MANIFEST.MF"


class ClassFileError(ValueError):
    """Bytes that are not a class file this reader understands."""


@dataclass(frozen=True)
class Annotated:
    """A class marked @Connector or @Activity: its jar entry, the `name` and the `factory` class."""

    entry: str
    name: str | None
    factory: str | None  # binary name, e.g. com.example.Acme$Factory


@dataclass
class AgentView:
    """What an agent finds in a jar."""

    connectors: list[Annotated] = field(default_factory=list)
    activities: list[Annotated] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)  # binary names of every .class entry
    parsed: int = 0  # class files read for annotations
    manifest: dict[str, str] = field(default_factory=dict)
    adapter: bytes | None = None


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ClassFileError("truncated")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def skip(self, size: int) -> None:
        if self.pos + size > len(self.data):
            raise ClassFileError("truncated")
        self.pos += size


#: Constant pool tags and the bytes each takes after the tag (Utf8 is read; Long and Double take two slots).
_SIZES = {
    3: 4,
    4: 4,
    5: 8,
    6: 8,
    7: 2,
    8: 2,
    9: 4,
    10: 4,
    11: 4,
    12: 4,
    15: 3,
    16: 2,
    17: 4,
    18: 4,
    19: 2,
    20: 2,
}


def _constant_pool(r: _Reader) -> dict[int, str]:
    """The pool's Utf8 strings by index (all this reader needs)."""
    count = r.take(">H")
    strings: dict[int, str] = {}
    index = 1
    while index < count:
        tag = r.take(">B")
        if tag == 1:
            length = r.take(">H")
            raw = r.data[r.pos : r.pos + length]
            r.skip(length)
            strings[index] = raw.decode("utf-8", errors="replace")  # modified UTF-8: close enough for names
        elif tag in _SIZES:
            r.skip(_SIZES[tag])
        else:
            raise ClassFileError(f"unknown constant pool tag {tag}")
        index += 2 if tag in (5, 6) else 1
    return strings


def _skip_members(r: _Reader) -> None:
    for _ in range(r.take(">H")):
        r.skip(6)  # access flags, name, descriptor
        for _ in range(r.take(">H")):
            r.skip(2)
            r.skip(r.take(">I"))


def _element(r: _Reader, pool: Mapping[int, str]) -> Any:
    tag = chr(r.take(">B"))
    if tag in "BCDFIJSZs":
        return pool.get(r.take(">H"))
    if tag == "e":
        r.skip(4)
        return None
    if tag == "c":
        return pool.get(r.take(">H"))
    if tag == "@":
        _annotation(r, pool)
        return None
    if tag == "[":
        return [_element(r, pool) for _ in range(r.take(">H"))]
    raise ClassFileError(f"unknown element value tag {tag!r}")


def _annotation(r: _Reader, pool: Mapping[int, str]) -> tuple[str | None, dict[str, Any]]:
    kind = pool.get(r.take(">H"))
    values = {}
    for _ in range(r.take(">H")):
        name = pool.get(r.take(">H"))
        values[name or ""] = _element(r, pool)
    return kind, values


def class_annotations(data: bytes) -> dict[str, dict[str, Any]]:
    """The class's runtime-visible annotations: descriptor -> {element: value}; ClassFileError if unreadable.

    String elements are their text, class elements their descriptor (`Lcom/x/Y$Factory;`).
    """
    r = _Reader(data)
    if r.take(">I") != 0xCAFEBABE:
        raise ClassFileError("not a class file")
    r.skip(4)  # minor, major version
    pool = _constant_pool(r)
    r.skip(6)  # access flags, this_class, super_class
    r.skip(2 * r.take(">H"))  # interfaces
    _skip_members(r)  # fields
    _skip_members(r)  # methods
    found: dict[str, dict[str, Any]] = {}
    for _ in range(r.take(">H")):
        name = pool.get(r.take(">H"))
        length = r.take(">I")
        end = r.pos + length
        if name == "RuntimeVisibleAnnotations":
            for _ in range(r.take(">H")):
                kind, values = _annotation(r, pool)
                if kind:
                    found[kind] = values
        r.pos = end
    return found


def _binary_name(descriptor: object) -> str | None:
    if isinstance(descriptor, str) and descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return None


def read_jar(path: Path) -> AgentView:
    """Read the jar once: annotations of the classes that use the SDK's, the manifest, the UI file."""
    from hatch_harmony.jar_manifest import Manifest

    view = AgentView()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if _MANIFEST in names:
            try:
                parsed = Manifest.parse(archive.read(_MANIFEST), source=f"{path.name}!/{_MANIFEST}")
                view.manifest = dict(parsed.main.items())
            except HarmonyError:  # doctor's manifest check reports it
                pass
        ui = view.manifest.get(words.CONNECTOR_UI, "adapter.json").strip() or "adapter.json"
        if ui in names:
            view.adapter = archive.read(ui)
        for name in names:
            if not name.endswith(".class") or name.startswith(("META-INF/", "lib/")):
                continue
            view.classes.add(name[: -len(".class")].replace("/", "."))
            data = archive.read(name)
            if ANNOTATION_PACKAGE not in data:
                continue
            try:
                annotations = class_annotations(data)
            except ClassFileError:
                continue
            view.parsed += 1
            for kind, target in ((CONNECTOR, view.connectors), (ACTIVITY, view.activities)):
                if kind in annotations:
                    values = annotations[kind]
                    name_value = values.get("name")
                    target.append(
                        Annotated(
                            name,
                            name_value if isinstance(name_value, str) else None,
                            _binary_name(values.get("factory")),
                        )
                    )
    return view


def code_problems(view: AgentView, adapter: Adapter, jar_name: str) -> list[str]:
    """Where the jar's annotations and factory class disagree with adapter.json: one line per mismatch."""
    problems: list[str] = []
    source = adapter.path.name
    if view.parsed and not view.connectors:
        problems.append(
            f"{jar_name}: no class is marked @Connector (org.jitterbit.connector.sdk.annotation), so an "
            "agent finds no connector; mark the connector class "
            f'@Connector(name = "{adapter.name}", factory = ...)'
        )
    for connector in view.connectors:
        if connector.name != adapter.name:
            problems.append(
                f'{connector.entry}: @Connector(name = "{connector.name}") differs from {source}\'s '
                f'"name": "{adapter.name}"; make them equal (Harmony registers the adapter\'s name)'
            )
    if view.parsed or view.activities:
        coded = {a.name: a for a in view.activities if a.name is not None}
        for key in adapter.activities:
            if key not in coded:
                problems.append(
                    f'{source} has the activity "{key}", but no class in {jar_name} is marked '
                    f'@Activity(name = "{key}"); add one (`hatch-harmony init --add-activity` writes both) '
                    "or remove the activity"
                )
        for name, activity in coded.items():
            if name not in adapter.activities:
                problems.append(
                    f'{activity.entry}: @Activity(name = "{name}") has no activity "{name}" in {source}\'s '
                    "activities; add it there (the agent routes by that key) or rename the annotation"
                )
    factory = view.manifest.get(words.FACTORY_CLASS, "").strip()
    if factory and factory not in view.classes:
        problems.append(
            f"{words.FACTORY_CLASS}: {factory} names a class {jar_name} does not hold "
            f"(no {factory.replace('.', '/')}.class); fix the template or the class name"
        )
    return problems


def stale_problems(
    view: AgentView, adapter: Adapter, ids: Mapping[str, str] | None, jar_name: str
) -> list[str]:
    """Where the jar is older than the project: its adapter.json, its activity and endpoint ids.

    `ids`: the manifest attributes the current lock entry gives (activity and endpoint ids), or None.
    """
    rebuild = "rebuild it: `hatch build -t jar`"
    problems: list[str] = []
    if view.adapter is not None and hashlib.sha256(view.adapter).hexdigest() != adapter.digest:
        problems.append(f"{jar_name} holds an older {adapter.path.name} than the project's; {rebuild}")
    for attribute, expected in (ids or {}).items():
        shipped = view.manifest.get(attribute)
        if shipped != expected:
            shown = "none" if shipped is None else shipped
            problems.append(
                f"{jar_name}'s manifest has {attribute}: {shown}, harmony.lock gives {expected}; {rebuild}"
            )
    return problems
