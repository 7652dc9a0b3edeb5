"""The architecture holds: hatch_harmony/'s imports go down the layers and never round in a cycle.

The graph is read from the source with `ast`, so it counts every import a reader might miss:
at module level, inside functions (the lazy imports that keep a build cheap) and under
`TYPE_CHECKING`. An import of `a.b.c` also runs `a/b/__init__.py`, so that package is an
edge too (unless the importer is inside it: its own package's `__init__` has already run).

The layers, bottom first, are written once, in LAYERS below; docs/architecture.md says what
each holds and why. A unit is a top-level module or a subpackage; a unit may import any unit
of a lower layer, none of a higher one, and none of its own layer but itself. Inside a
subpackage any order goes, as long as no cycle forms.

Where the edges sit, and why:

* `hooks` and `setuptools_plugin` are entry points the build frontends name in pyproject.toml
  (hatch's plugin and setuptools' finalize hook); `init`, `doctor` and `deploy` are the programs
  behind `hatch-harmony init`, `doctor` and `deploy`; `emulator` is a stand-in Harmony for tests and
  demos. They share one layer and may not import each other: what two of them need belongs below
  them, so that a build never loads the CLI's programs or the emulator, and doctor's checks ask
  the engine, not another edge.
* `cli` is above them all: it is the one program that dispatches to init, doctor and the
  emulator (`hatch-harmony emulator`). `__main__` (`python -m hatch_harmony`) only calls it.
* `jar` (the `jar` build target) is below the edges: the hook fills its build_data and `init`
  checks its table, but the jar never asks the hook (the keys the two share live in `jar`).
* `emulator` sits with the edges although it needs only `api.protocol` and `util`: no rule
  module may depend on the stand-in server, so nothing below the edges may import it.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hatch_harmony"
NAME = PACKAGE.name

#: Bottom first. A unit is a top-level module (`errors`), a subpackage (`api`), or `__init__`
#: for hatch_harmony/__init__.py itself (the version: every module's package, so it imports nothing).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "errors", "vocabulary"),  # leaves: the version, the error base class, the words
    ("util",),  # standard-library helpers: atomic files, environment variables, JSON/TOML, git
    ("api",),  # the Connector Manager API: the one place httpx is imported
    ("jar_manifest",),  # MANIFEST.MF per the JAR specification, no Jitterbit rule
    ("config",),  # the hook's table, its options and environments, HARMONY_* over it
    ("project",),  # the connector's own files: adapter.json, harmony.lock, its manifest attributes
    ("guard",),  # where the secret may be written, packaged or committed
    ("engine",),  # decide which row of the request table a run takes, carry it out
    ("jar",),  # the `jar` build target
    ("hooks", "setuptools_plugin", "init", "doctor", "deploy", "emulator"),  # the edges: none imports another
    ("cli",),  # `hatch-harmony`: dispatches to the edges above
    ("__main__",),  # `python -m hatch_harmony`
)

MAX_TOP_LEVEL_FILES = 8


@dataclass(frozen=True)
class Edge:
    source: str  # dotted module name
    target: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its __init__.py)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement loads (a `from x import y` names x.y when that is a module)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        here = module.split(".") if is_package else module.split(".")[:-1]
        here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, base] if base else here)
    yield base
    yield from (f"{base}.{alias.name}" for alias in node.names)


@functools.cache
def edges() -> tuple[Edge, ...]:
    """Every import of one hatch_harmony module by another, with the packages it runs on the way."""
    known = modules()
    found = []
    for module, path in known.items():
        is_package = path.name == "__init__.py"
        own_packages = {module} if is_package else set()
        parts = module.split(".")
        own_packages |= {".".join(parts[:i]) for i in range(1, len(parts))}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = set()
            for name in _imported(node, module, is_package):
                if name.split(".")[0] != NAME:
                    continue
                dotted = name.split(".")
                # the module itself (when it is one) and every package on the way to it
                targets |= {".".join(dotted[:i]) for i in range(1, len(dotted) + 1)} & known.keys()
            found += [Edge(module, t, node.lineno) for t in sorted(targets - own_packages - {module})]
    return tuple(found)


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(name: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if name in layer)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


# --------------------------------------------------------------------------- the checks themselves


def test_the_graph_sees_function_level_and_type_only_imports() -> None:
    """The reader finds the imports that matter most here: the lazy and the TYPE_CHECKING ones."""
    found = {(e.source, e.target) for e in edges()}
    # inside a function (jar/config.py's entry_epoch imports the writer's limits when called)
    assert ("hatch_harmony.jar.config", "hatch_harmony.jar.archive") in found
    # under TYPE_CHECKING (verdict names Call and httpx's types only for the type checker)
    assert ("hatch_harmony.api.verdict", "hatch_harmony.api.call") in found
    # a package on the way: importing jar.builder runs jar/__init__.py
    assert ("hatch_harmony.hooks", "hatch_harmony.jar") in found


def test_every_unit_has_a_layer() -> None:
    listed = [name for layer in LAYERS for name in layer]
    assert len(listed) == len(set(listed)), "a unit is listed twice in LAYERS"
    units = {unit(m) for m in modules()}
    assert units == set(listed), (
        f"place the new unit(s) in LAYERS: {sorted(units - set(listed))}; "
        f"or remove the stale one(s): {sorted(set(listed) - units)}"
    )


def test_no_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {m: set() for m in modules()}
    for edge in edges():
        graph[edge.source].add(edge.target)
    found = cycles(graph)
    explained = [
        [str(e) for e in edges() if e.source in component and e.target in component] for component in found
    ]
    assert not found, f"import cycles: {explained}"


def test_every_import_goes_down_the_layers() -> None:
    upward = [
        f"{edge} ({unit(edge.source)} is in layer {layer_of(unit(edge.source))}, "
        f"{unit(edge.target)} in layer {layer_of(unit(edge.target))})"
        for edge in edges()
        if unit(edge.source) != unit(edge.target)
        and layer_of(unit(edge.source)) <= layer_of(unit(edge.target))
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_at_most_eight_modules_at_the_top_level() -> None:
    """The top level keeps the entry points and the true leaves; everything else sits in its layer."""
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_FILES, top


def test_httpx_is_imported_only_in_api() -> None:
    """The network client's one dependency stays behind the API package (and off the warm build path)."""
    importers = []
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                loaded = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level:
                loaded = {(node.module or "").split(".")[0]}
            else:
                continue
            if "httpx" in loaded:
                importers.append(f"{module}:{node.lineno}")
    assert importers, "the reader found no httpx import at all"
    assert [i for i in importers if unit(i.split(":")[0]) != "api"] == []


def test_a_cycle_and_an_upward_import_are_caught() -> None:
    """The checks fail when they should: a made-up graph with both faults."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert layer_of("engine") > layer_of("config") > layer_of("util")
    assert layer_of("doctor") == layer_of("init") < layer_of("cli")


def test_comments_stand_alone() -> None:
    """What a module's comments rely on is in the repository: no file outside it, no issue number.

    The design rationale, the request table and the facts about Harmony are in docs/architecture.md.
    """
    outside = re.compile(r"DESIGN\.md|FACTS\.md|\.\./shared|issue [0-9]")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in modules().values()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert found == []
    assert (ROOT / "docs" / "architecture.md").is_file()


def documented_modules() -> list[str]:
    """The files docs/architecture.md's "The rule each module owns" names, as paths below hatch_harmony/.

    A subpackage's heading (`` `api/` ``) stands for its __init__.py; its `- `name.py`:` lines
    are its modules; "The top level" heads the package's own files.
    """
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("\n## The rule each module owns\n", 1)[1].split("\n## ", 1)[0]
    named: list[str] = []
    folder: str | None = None
    for line in section.splitlines():
        heading = re.match(r"`(\w+)/`", line)
        if heading:
            folder = heading.group(1) + "/"
            named.append(folder + "__init__.py")
        elif line.startswith("The top level"):
            folder = ""
        else:
            item = re.match(r"- `(\w+\.py)`:(.*)", line)
            if item and folder is not None:
                named.append(folder + item.group(1))
                if not item.group(2).strip():
                    named.append(f"{folder}{item.group(1)} (no rule after its name)")
    return named


def test_docs_name_every_module() -> None:
    """docs/architecture.md gives each module its rule, once: the one list of modules (README links it)."""
    named = documented_modules()
    actual = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py"))
    twice = sorted({path for path in named if named.count(path) > 1})
    missing, stale = sorted(set(actual) - set(named)), sorted(set(named) - set(actual))
    assert (twice, missing, stale) == ([], [], []), (
        f"docs/architecture.md, 'The rule each module owns': named twice {twice}; add {missing} "
        f"(one line each, with the module's rule); remove {stale}"
    )
