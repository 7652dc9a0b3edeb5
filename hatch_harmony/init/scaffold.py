"""`hatch-harmony init --new NAME`: a minimal connector project, as `hatch new` makes a Python one.

The shape is the repository's own example (example_connector/, which the demo builds), cut
to one of everything: adapter.json with one activity, `MANIFEST.MF.in` as the template (the
placeholders hatch-harmony fills, and `Jitterbit-Connector-Factory-Class`), under
src/main/java the connector class (`@Connector`), its connection and one class per activity
(`@Activity`) against the Jitterbit connector SDK's API (`java_scaffold`), pyproject.toml
with the same tables init writes for a migrated project, and a .gitignore for build output,
the generated manifest and the lock's sidecars. With javac on PATH it also compiles the SDK
stand-in into lib/ (`sdk_stand_in`), so the project compiles before Jitterbit's jar is there.
Compile into build/classes and `hatch build -t jar` registers the connector (3 requests) and
makes the jar.

The adapter is checked by `adapter.parse_adapter` before anything is written, so a name
Harmony would refuse stops here with the adapter's own rule; a file that cannot be written
removes the ones written before it. Only an empty folder (a fresh `git init` counts as
empty) is scaffolded: init never mixes a new project into existing files.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from hatch_harmony import vocabulary as words
from hatch_harmony.errors import ConfigError
from hatch_harmony.init import java_scaffold as java
from hatch_harmony.init.pyproject import render, wanted_tables
from hatch_harmony.init.sdk_stand_in import STAND_IN_JAR, make_stand_in
from hatch_harmony.project.adapter import parse_adapter
from hatch_harmony.util.files import atomic_write

VERSION = "1.0.0"
ACTIVITY = "query"
CLASSES = "build/classes"
LIB = "lib"
JAVA_ROOT = "src/main/java"
#: javac finds the SDK (Jitterbit's jar or the stand-in) in lib/; the jar target never bundles it.
COMPILE_COMMAND = f"javac --release 11 -cp \"{LIB}/*\" -d {CLASSES} $(find src -name '*.java')"
TEMPLATE = "MANIFEST.MF.in"
GITIGNORE = (
    "# build output; build/harmony/MANIFEST.MF holds the connector secret\nbuild/\ndist/\n"
    "# the registration lock's sidecar files (harmony.lock itself is committed)\n.harmony.lock.*\n"
    f"# the compile-only SDK stand-in hatch-harmony generates\n{LIB}/{STAND_IN_JAR}\n"
)
_JAVA_KEYWORDS = frozenset(
    [
        "abstract",
        "assert",
        "boolean",
        "break",
        "byte",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "final",
        "finally",
        "float",
        "for",
        "goto",
        "if",
        "implements",
        "import",
        "instanceof",
        "int",
        "interface",
        "long",
        "native",
        "new",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "short",
        "static",
        "strictfp",
        "super",
        "switch",
        "synchronized",
        "this",
        "throw",
        "throws",
        "transient",
        "try",
        "void",
        "volatile",
        "while",
        "true",
        "false",
        "null",
        "record",
        "var",
        "yield",
        "sealed",
        "permits",
    ]
)


@dataclass(frozen=True)
class Scaffold:
    """The files of the new project (relative posix path -> bytes) and the commands to run next."""

    root: Path
    name: str
    files: dict[str, bytes]
    compile_command: str
    written: bool
    #: The compile-only SDK stand-in made in lib/ (None: no javac on PATH, or a dry run).
    stand_in: str | None = None


#: The longest Java package part and class name init derives from a connector name. A file
#: name holds at most 255 bytes on most file systems, and atomic_write's temp file adds ~20:
#: a long connector name (Harmony accepts hundreds of characters) is cut, never a write error.
IDENTIFIER_MAX = 64


def _identifiers(name: str) -> tuple[str, str]:
    """(Java package, class name) for a connector name: `My Weather` -> com.example.myweather, MyWeather."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    package = "".join(words).lower()[:IDENTIFIER_MAX] or "connector"
    if package[0].isdigit() or package in _JAVA_KEYWORDS:
        package = f"c{package}"
    cls = "".join(w[:1].upper() + w[1:] for w in words)[:IDENTIFIER_MAX] or "My"
    if cls[0].isdigit():
        cls = f"C{cls}"
    return f"com.example.{package}", f"{cls}Connector"


def _write_all(root: Path, files: dict[str, bytes]) -> None:
    """Write every file, or (on any failure) remove what this call made: never a half-made project."""
    made: list[Path] = []
    created = [p for p in (root, *root.parents) if not p.exists()]
    try:
        for relative, data in files.items():
            path = root / relative
            made.extend(p for p in path.parents if p.is_relative_to(root) and not p.exists())
            atomic_write(path, data)
            made.append(path)
    except BaseException:
        for path in sorted(set(made), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()
        for folder in created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _adapter(name: str) -> bytes:
    data = {
        "name": name,
        "version": VERSION,
        "sandbox": True,
        "endpoint": {
            "displayName": f"{name} Endpoint",
            "properties": [
                {
                    "name": "base-url",
                    "displayName": "Service URL",
                    "type": "string",
                    "validators": [{"name": "required"}],
                },
            ],
        },
        "activities": {
            ACTIVITY: {
                "displayName": "Query",
                "properties": [
                    {
                        "name": "configuration",
                        "displayName": "Configuration",
                        "type": "pagination",
                        "children": [{"name": "filter", "displayName": "Filter", "type": "string"}],
                    },
                ],
            }
        },
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def _java_files(name: str, package: str, cls: str) -> dict[str, bytes]:
    """The connector, its connection, the activities' base class and one class per activity."""
    folder = f"{JAVA_ROOT}/{package.replace('.', '/')}"
    texts = {
        f"{folder}/{cls}.java": java.connector_java(name, package, cls),
        f"{folder}/{java.connection_class(cls)}.java": java.connection_java(name, package, cls),
        f"{folder}/{java.ACTIVITY_BASE}.java": java.activity_base_java(package),
        f"{folder}/{java.activity_class(ACTIVITY)}.java": java.activity_java(package, ACTIVITY),
    }
    return {path: text.encode() for path, text in texts.items()}


def _manifest(factory: str) -> bytes:
    return (
        "Author: Example Corp\n"  # no Version: the build writes the project version there
        f"{words.FACTORY_CLASS}: {factory}\n"
        f"{words.KEY}: ****\n"
        f"{words.SECRET}: *****\n"
        f"{words.ENDPOINT_ID}: \n"
        f"{words.CONNECTOR_UI}: adapter.json\n"
    ).encode()


def _check_empty(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise ConfigError(f"--new: {root} is a file; pass --project DIR with an empty (or new) folder")
    present = sorted(p.name for p in root.iterdir() if p.name != ".git") if root.is_dir() else []
    if present:
        shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
        raise ConfigError(
            f"--new: {root} is not empty ({shown}); init --new makes a project in an empty folder "
            "(pass --project DIR). In an existing connector repository, run `hatch-harmony init` alone."
        )


def scaffold(root: Path, name: str, *, dry_run: bool = False) -> Scaffold:
    """The new project's files, written unless `dry_run`; ConfigError (nothing written) for a bad name."""
    _check_empty(root)
    adapter = _adapter(name)
    try:
        parse_adapter(adapter, source=root / "adapter.json")
    except ConfigError as exc:
        raise ConfigError(f"--new {name!r}: {exc.message}") from None
    package, cls = _identifiers(name)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() + "-connector"
    tables = wanted_tables(
        name=slug, version=VERSION, hook={"manifest-template": TEMPLATE}, jar={"classes": CLASSES}
    )
    files = {
        "adapter.json": adapter,
        TEMPLATE: _manifest(f"{package}.{cls}$Factory"),
        **_java_files(name, package, cls),
        "pyproject.toml": render(tables).encode(),
        ".gitignore": GITIGNORE.encode(),
    }
    stand_in = None
    if not dry_run:
        _write_all(root, files)
        if shutil.which("javac") is not None:
            stand_in = make_stand_in(root / LIB).relative_to(root).as_posix()
    return Scaffold(root, name, files, COMPILE_COMMAND, written=not dry_run, stand_in=stand_in)
