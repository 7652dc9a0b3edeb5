"""`hatch-harmony init --new NAME`: a minimal connector project, as `hatch new` makes a Python one.

The shape is the repository's own example (example_connector/, which the demo builds), cut
to one of everything: adapter.json with one activity, `MANIFEST.MF.in` as the template (the
placeholders hatch-harmony fills), one Java class under src/main/java, pyproject.toml with the
same tables init writes for a migrated project, and a .gitignore for build output, the
generated manifest and the lock's sidecars. Compile into build/classes and `hatch build -t
jar` registers the connector (3 requests) and makes the jar.

The adapter is checked by `adapter.parse_adapter` before anything is written, so a name
Harmony would refuse stops here with the adapter's own rule; a file that cannot be written
removes the ones written before it. Only an empty folder (a fresh `git init` counts as
empty) is scaffolded: init never mixes a new project into existing files.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from hatch_harmony import vocabulary as words
from hatch_harmony.errors import ConfigError
from hatch_harmony.init.pyproject import render, wanted_tables
from hatch_harmony.project.adapter import parse_adapter
from hatch_harmony.util.files import atomic_write

VERSION = "1.0.0"
ACTIVITY = "query"
CLASSES = "build/classes"
TEMPLATE = "MANIFEST.MF.in"
GITIGNORE = (
    "# build output; build/harmony/MANIFEST.MF holds the connector secret\nbuild/\ndist/\n"
    "# the registration lock's sidecar files (harmony.lock itself is committed)\n.harmony.lock.*\n"
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


def _java(name: str, package: str, cls: str) -> bytes:
    return f"""package {package};

/**
 * The {name} connector: a private agent loads it from the jar `hatch build -t jar` makes.
 *
 * <p>Implement the Jitterbit connector SDK here: put jitterbit-connector-sdk-*.jar in lib/ and on
 * javac's class path. The jar never bundles it (the agent provides it).
 */
public final class {cls} {{
    /** adapter.json's name: Harmony registers the connector under it. */
    public static final String NAME = "{name}";

    /** The activity key of adapter.json; its id is {words.ACTIVITY_PREFIX}{ACTIVITY}. */
    public static final String QUERY = "{ACTIVITY}";

    private {cls}() {{}}
}}
""".encode()


def _manifest() -> bytes:
    return (
        "Author: Example Corp\n"
        f"Version: {VERSION}\n"
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
        TEMPLATE: _manifest(),
        f"src/main/java/{package.replace('.', '/')}/{cls}.java": _java(name, package, cls),
        "pyproject.toml": render(tables).encode(),
        ".gitignore": GITIGNORE.encode(),
    }
    if not dry_run:
        _write_all(root, files)
    compile_command = f"javac --release 11 -d {CLASSES} $(find src -name '*.java')"
    return Scaffold(root, name, files, compile_command, written=not dry_run)
