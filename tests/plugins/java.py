"""The `java_manifest` fixture: what JDK's `java.util.jar` really reads from a manifest or a jar.

Our Python reader agreeing with our Python writer proves little; Java is the consumer that
matters (private agents load connector jars with it). The checker `tests/java/ManifestDump.java`
is compiled once per session and run in batch mode: one JVM for many files, JSON out.

    def test_x(java_manifest, tmp_path):
        read = java_manifest(tmp_path / "MANIFEST.MF")          # one path -> one dict
        reads = java_manifest([jar_a, jar_b])                  # many paths -> list of dicts, in order
        read["main"]      # {name: value} in Java's order, original spelling
        read["sections"]  # {entry name: {name: value}}
        # jars (detected by zip magic) also carry:
        read["entries"]        # entry names in local-header order
        read["manifestFirst"]  # META-INF/MANIFEST.MF is entry 1, or 2 after META-INF/

For a jar the manifest is the one `JarInputStream` sees (the strict reader: it only finds the
manifest at the start), and the fixture fails the test when it sees none or when `JarFile`
(central directory) reads a different one. Any Java error fails the test too, unless
`allow_errors=True`, which returns `{"path", "error"}` for that path instead. `rewrite=True`
adds `"written"`: the bytes of Java's own `Manifest.write` for that manifest.

Tests using the fixture get the `java` marker. They skip (with the reason) only when `javac`
is not installed; CI has a JDK, so there they always run.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import pytest

CHECKER_SOURCE = Path(__file__).resolve().parents[1] / "java" / "ManifestDump.java"
CHECKER_CLASS = "ManifestDump"
#: Startup flags: a short-lived JVM that reads a few files needs no optimising JIT or parallel GC.
JVM_FLAGS = ("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
NO_JDK_REASON = "javac not found: install a JDK (17+) to run the checks against java.util.jar"

JavaRead = dict[str, Any]


class JavaCheckerError(AssertionError):
    """Java could not read a file, or a jar's manifest is not where JarInputStream looks."""


def compile_checker(out_dir: Path) -> Path:
    """Compile ManifestDump.java into `out_dir`; return the class path."""
    javac = shutil.which("javac")
    if javac is None:
        raise JavaCheckerError(NO_JDK_REASON)
    out_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [javac, "-encoding", "UTF-8", "-d", str(out_dir), str(CHECKER_SOURCE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise JavaCheckerError(f"javac failed on {CHECKER_SOURCE}:\n{done.stderr}")
    return out_dir


def run_checker(
    classes: Path, paths: Sequence[Path | str], *, rewrite: bool = False, allow_errors: bool = False
) -> list[JavaRead]:
    """One JVM reads every path; returns one dict per path, in order (see the module doc)."""
    if not paths:
        return []
    java = shutil.which("java")
    if java is None:
        raise JavaCheckerError("javac is installed but java is not on PATH")
    resolved = [str(Path(p).resolve()) for p in paths]
    for p in resolved:
        if "\n" in p or "\r" in p:
            raise JavaCheckerError(f"cannot pass a path with a line break to the checker: {p!r}")
    done = subprocess.run(
        [java, *JVM_FLAGS, "-cp", str(classes), CHECKER_CLASS, *(["--rewrite"] if rewrite else [])],
        input="\n".join(resolved) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise JavaCheckerError(f"{CHECKER_CLASS} exited with {done.returncode}:\n{done.stderr}")
    reads: list[JavaRead] = json.loads(done.stdout)
    if len(reads) != len(resolved):
        raise JavaCheckerError(f"{CHECKER_CLASS} answered {len(reads)} results for {len(resolved)} paths")
    for read in reads:
        if "written" in read:
            read["written"] = base64.b64decode(read["written"])
        if allow_errors:
            continue
        if "error" in read:
            raise JavaCheckerError(f"java.util.jar cannot read {read['path']}: {read['error']}")
        if read.get("jarFileAgrees") is False:
            raise JavaCheckerError(f"JarFile and JarInputStream read different manifests in {read['path']}")
    return reads


class JavaManifestReader:
    """The callable behind the `java_manifest` fixture."""

    def __init__(self, classes: Path) -> None:
        self.classes = classes

    @overload
    def __call__(self, paths: Path | str, *, rewrite: bool = ..., allow_errors: bool = ...) -> JavaRead: ...

    @overload
    def __call__(
        self, paths: Sequence[Path | str], *, rewrite: bool = ..., allow_errors: bool = ...
    ) -> list[JavaRead]: ...

    def __call__(
        self, paths: Path | str | Sequence[Path | str], *, rewrite: bool = False, allow_errors: bool = False
    ) -> JavaRead | list[JavaRead]:
        if isinstance(paths, (str, Path)):
            return run_checker(self.classes, [paths], rewrite=rewrite, allow_errors=allow_errors)[0]
        return run_checker(self.classes, list(paths), rewrite=rewrite, allow_errors=allow_errors)


@pytest.fixture(scope="session")
def java_checker_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ManifestDump compiled once per session (skips the test when no JDK is installed)."""
    if shutil.which("javac") is None:
        pytest.skip(NO_JDK_REASON)
    return compile_checker(tmp_path_factory.mktemp("java-checker"))


@pytest.fixture(scope="session")
def java_manifest(java_checker_classes: Path) -> JavaManifestReader:
    """A callable: path(s) of MANIFEST.MF files or jars -> what java.util.jar reads."""
    return JavaManifestReader(java_checker_classes)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reads through Java, so `pytest -m java` selects them."""
    for item in items:
        if "java_manifest" in getattr(item, "fixturenames", ()) or "java_checker_classes" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.java)


# ----------------------------------------------------------------------- loading a connector as an agent does

AGENT_LOAD_SOURCE = Path(__file__).resolve().parents[1] / "java" / "AgentLoad.java"


class AgentLoader:
    """The callable behind `java_agent_load`: runs tests/java/AgentLoad.java on a connector jar.

        done = java_agent_load(jar, "com.example.Connector", "com.example.dep.Util", provided=sdk_jar)
        done.returncode   # 0 loaded, 1 a class did not load (the Java error on stderr), 2 bad Class-Path
        done.stdout       # "loaded NAME from SOURCE" per class; SOURCE: connector, lib/x.jar, provided

    Returns the finished process rather than raising, so a test can assert that loading fails.
    """

    def __init__(self, classes: Path) -> None:
        self.classes = classes

    def __call__(
        self, jar: Path, *class_names: str, provided: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        java = shutil.which("java")
        if java is None:
            raise JavaCheckerError("javac is installed but java is not on PATH")
        extra = ["--provided", str(provided)] if provided is not None else []
        return subprocess.run(
            [java, *JVM_FLAGS, "-cp", str(self.classes), "AgentLoad", *extra, str(jar), *class_names],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
            timeout=120,
        )


@pytest.fixture(scope="session")
def java_agent_load(java_checker_classes: Path, tmp_path_factory: pytest.TempPathFactory) -> AgentLoader:
    """AgentLoad compiled once per session; see `AgentLoader`.

    It asks for `java_checker_classes` so that it shares that fixture's only skip (no javac) and
    its tests get the `java` marker from the hook above.
    """
    out = tmp_path_factory.mktemp("java-agent-load")
    done = subprocess.run(
        ["javac", "-encoding", "UTF-8", "-d", str(out), str(AGENT_LOAD_SOURCE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise JavaCheckerError(f"javac failed on {AGENT_LOAD_SOURCE}:\n{done.stderr}")
    return AgentLoader(out)
