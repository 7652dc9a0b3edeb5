"""The `jar` target: what goes into the connector jar, real hatchling builds, errors and clean.

Real builds run `python -m hatchling build` in a subprocess on a temp project. The `harmony`
hook and the `jar` entry point are wired by the package's entry points; to test the target
on its own, the temp project uses hatchling's custom-target and custom-hook support: its
`hatch_build.py` returns `JarBuilder` itself and a stub hook that hands over a fixed,
complete manifest exactly as the real hook does (build_data keys `harmony_manifest`,
`harmony_adapter`). Under the custom target the options table is `targets.custom`; one test
builds `-t jar` through the installed entry point to prove the real name and table work.
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.errors import ConfigError
from hatch_harmony.init.sdk_stand_in import make_stand_in
from hatch_harmony.jar.archive import JarEntry
from hatch_harmony.jar.builder import JarBuilder, jar_file_name, made_jars
from hatch_harmony.jar.config import JarBuilderConfig
from hatch_harmony.jar.layout import STAND_IN_JAR, JarPlan, plan_jar

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example_connector"
KEY = "kEy-canary-5f1c0de"
SECRET = "sEcret-canary-9b7e2aa"
TEMPLATE_CLASS_PATH = "lib/stale-0.1.jar"
HOOK_MANIFEST = (
    "Manifest-Version: 1.0\r\n"
    "Jitterbit-Connector: true\r\n"
    "Jitterbit-Connector-UI: adapter.json\r\n"
    f"Jitterbit-Connector-Key: {KEY}\r\n"
    f"Jitterbit-Connector-Secret: {SECRET}\r\n"
    "Jitterbit-Connector-Endpoint-EntityTypeId: 5001\r\n"
    "Jitterbit-Activity-EntityTypeId-query: 5002\r\n"
    "Jitterbit-Activity-EntityTypeId-create: 5003\r\n"
    "Jitterbit-Activity-EntityTypeId-update: 5004\r\n"
    "Jitterbit-Activity-EntityTypeId-delete: 5005\r\n"
    f"Class-Path: {TEMPLATE_CLASS_PATH}\r\n"
    "\r\n"
).encode()
JAR_NAME = "weather-example-1.0.0.jar"

HATCH_BUILD = '''
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

from hatch_harmony.jar.builder import JarBuilder


class StubHarmonyHook(BuildHookInterface):
    """Hands over what the real `harmony` hook would: the manifest bytes and the adapter path."""

    def initialize(self, version, build_data):
        build_data["harmony_manifest"] = Path(self.root, "hook-manifest.mf").read_bytes()
        build_data["harmony_adapter"] = str(Path(self.root, "adapter.json"))


def get_builder():
    return JarBuilder


def get_build_hook():
    return StubHarmonyHook
'''

needs_jdk = pytest.mark.skipif(shutil.which("javac") is None, reason="needs a JDK (javac not on PATH)")


@pytest.fixture(scope="session")
def sdk_stand_in(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compile-only SDK stand-in hatch-harmony generates, compiled once."""
    if shutil.which("javac") is None:
        pytest.skip("needs a JDK (javac not on PATH)")
    return make_stand_in(tmp_path_factory.mktemp("sdk") / "lib")


@pytest.fixture(scope="session")
def example_classes(tmp_path_factory: pytest.TempPathFactory, sdk_stand_in: Path) -> Path:
    """example_connector's Java sources compiled once against the SDK stand-in (as its demo does)."""
    out = tmp_path_factory.mktemp("example-classes")
    sources = sorted(str(p) for p in (EXAMPLE / "src").rglob("*.java"))
    subprocess.run(
        ["javac", "--release", "11", "-cp", str(sdk_stand_in), "-d", str(out), *sources], check=True
    )
    return out


def _fake_classes(folder: Path) -> None:
    for name in ("com/example/weather/WeatherConnector.class", "com/example/weather/sdk/Connection.class"):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xca\xfe\xba\xbe" + name.encode())


def _dependency(path: Path, marker: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
        zf.writestr(f"dep/{marker}.txt", marker)


def make_project(
    root: Path,
    *,
    options: str = "",
    hook: str = "[tool.hatch.build.hooks.custom]\n",
    classes: Path | None = None,
    lib: bool = True,
) -> Path:
    """A connector project: adapter, hook manifest, classes in build/classes, lib/, assets/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "Weather_Example"\nversion = "1.0.0"\n\n'
        f"{hook}\n[tool.hatch.build.targets.custom]\n{options}\n",
        encoding="utf-8",
    )
    (root / "hatch_build.py").write_text(HATCH_BUILD, encoding="utf-8")
    (root / "hook-manifest.mf").write_bytes(HOOK_MANIFEST)
    # The example's adapter without its icons: most tests here choose other assets, and a jar
    # without an icon adapter.json names does not build (tests/project/test_adapter_checks.py).
    adapter = json.loads((EXAMPLE / "adapter.json").read_text(encoding="utf-8"))
    adapter.pop("defaultActivityIcon")
    adapter["endpoint"].pop("icon")
    (root / "adapter.json").write_text(json.dumps(adapter, indent=2), encoding="utf-8")
    shutil.copytree(EXAMPLE / "assets", root / "assets")
    if classes is not None:
        shutil.copytree(classes, root / "build" / "classes")
    else:
        _fake_classes(root / "build" / "classes")
    if lib:
        _dependency(root / "lib" / "zeta-2.0.jar", "zeta")
        _dependency(root / "lib" / "alpha-1.0.jar", "alpha")
        (root / "lib" / "README.txt").write_text("not a jar: not bundled\n", encoding="utf-8")
        _dependency(root / "lib" / "nested" / "ignored-1.0.jar", "nested")
    return root


def hatchling_build(
    root: Path, *args: str, env: dict[str, str] | None = None, target: str = "custom"
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCE_DATE_EPOCH", "HATCH_"))}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", target, *args],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _names(jar: Path) -> list[str]:
    with zipfile.ZipFile(jar) as zf:
        return zf.namelist()


# --------------------------------------------------------------------------- real builds


@needs_jdk
def test_build_makes_a_jar_java_reads_and_runs(
    tmp_path: Path, example_classes: Path, sdk_stand_in: Path, java_manifest: Callable[..., Any]
) -> None:
    root = make_project(tmp_path / "proj", options='assets = ["assets"]', classes=example_classes)
    done = hatchling_build(root)
    assert done.returncode == 0, done.stderr
    jar = root / "dist" / JAR_NAME
    assert f"dist/{JAR_NAME}" in done.stdout + done.stderr
    for canary in (KEY, SECRET):
        assert canary not in done.stdout + done.stderr

    read = java_manifest(jar)
    assert read["manifestFirst"] is True
    assert read["main"] == {
        "Manifest-Version": "1.0",
        "Jitterbit-Connector": "true",
        "Jitterbit-Connector-UI": "adapter.json",
        "Jitterbit-Connector-Key": KEY,
        "Jitterbit-Connector-Secret": SECRET,
        "Jitterbit-Connector-Endpoint-EntityTypeId": "5001",
        "Jitterbit-Activity-EntityTypeId-query": "5002",
        "Jitterbit-Activity-EntityTypeId-create": "5003",
        "Jitterbit-Activity-EntityTypeId-update": "5004",
        "Jitterbit-Activity-EntityTypeId-delete": "5005",
        "Class-Path": "lib/alpha-1.0.jar lib/zeta-2.0.jar",
    }
    names = read["entries"]
    assert names[:2] == ["META-INF/", "META-INF/MANIFEST.MF"]
    assert names[2:] == sorted(names[2:])
    expected_files = {
        "adapter.json",
        "assets/images/weather-activity.svg",
        "assets/images/weather-endpoint.svg",
        "lib/alpha-1.0.jar",
        "lib/zeta-2.0.jar",
        *(p.relative_to(example_classes).as_posix() for p in example_classes.rglob("*.class")),
    }
    assert {n for n in names if not n.endswith("/")} == expected_files | {"META-INF/MANIFEST.MF"}
    with zipfile.ZipFile(jar) as zf:
        assert zf.read("adapter.json") == (root / "adapter.json").read_bytes()
        assert zf.read("lib/zeta-2.0.jar") == (root / "lib" / "zeta-2.0.jar").read_bytes()

    listing = subprocess.run(["jar", "tf", str(jar)], capture_output=True, text=True, check=True).stdout
    assert listing.splitlines() == names
    # The classes really are in the jar and load: the example's self check runs from it and the SDK
    # (which the agent provides), finding the connector and activities by their annotations.
    class_path = os.pathsep.join([str(jar), str(sdk_stand_in)])
    run = subprocess.run(
        ["java", "-cp", class_path, "com.example.weather.SelfCheck"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.splitlines() == [
        "Weather Example: query, create, update, delete",
        "station=OSLO-01",
        "unit=C",
        "temperatures=10.2,8.1,6.2",
    ]
    assert not [n for n in names if n.startswith("org/jitterbit/")]


def test_builds_are_byte_identical_and_follow_source_date_epoch(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", options='assets = ["assets"]')
    assert hatchling_build(root).returncode == 0
    jar = root / "dist" / JAR_NAME
    first = jar.read_bytes()
    for path in root.rglob("*"):  # a fresh checkout: other times, other modes
        if path.is_file():
            os.utime(path, (1_750_000_000, 1_750_000_000))
            path.chmod(0o664)
    assert hatchling_build(root).returncode == 0
    assert jar.read_bytes() == first
    later = hatchling_build(root, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert later.returncode == 0, later.stderr
    assert jar.read_bytes() != first
    with zipfile.ZipFile(jar) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_build_without_the_hook_fails_with_the_snippet_and_no_jar(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", hook="")
    done = hatchling_build(root)
    assert done.returncode == 2
    assert "needs the manifest of the `harmony` build hook" in done.stderr
    assert "[tool.hatch.build.hooks.harmony]" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((root / "dist").glob("*.jar"))


def test_build_without_classes_fails_clearly_and_keeps_the_previous_jar(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    assert hatchling_build(root).returncode == 0
    before = (root / "dist" / JAR_NAME).read_bytes()
    shutil.rmtree(root / "build")
    done = hatchling_build(root)
    assert done.returncode == 2
    assert "no compiled classes" in done.stderr
    assert "compile first" in done.stderr
    assert "Traceback" not in done.stderr
    assert (root / "dist" / JAR_NAME).read_bytes() == before


def test_clean_removes_only_this_projects_jars(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    assert hatchling_build(root).returncode == 0
    dist = root / "dist"
    others = [
        "weather-example-0.9.0.jar.sha256",
        "weather-example-extra-1.0.0.jar",
        "weather_example-1.0.0-py3-none-any.whl",
        "other-1.0.0.jar",
    ]
    for name in others:
        (dist / name).write_bytes(b"not ours")
    (dist / "weather-example-0.9.0.jar").write_bytes(b"an older build of ours")
    done = hatchling_build(root, "--clean-only")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in dist.iterdir()) == sorted(others)


def test_the_installed_jar_target_reads_its_own_table(tmp_path: Path) -> None:
    """`-t jar` through the package's `hatch` entry point, options from [tool.hatch.build.targets.jar]."""
    root = make_project(tmp_path / "proj", lib=False)
    (root / "build").rename(root / "out")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write('[tool.hatch.build.targets.jar]\nclasses = "out/classes"\n')
    done = hatchling_build(root, target="jar")
    assert done.returncode == 0, done.stderr
    assert "classes from out/classes (2 .class files)" in done.stderr
    assert "com/example/weather/WeatherConnector.class" in _names(root / "dist" / JAR_NAME)


# --------------------------------------------------------------------------- the builder in-process


def _builder(root: Path) -> JarBuilder:
    return JarBuilder(str(root))


def test_disabled_hook_message_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    disabled = "[tool.hatch.build.hooks.harmony]\nenable-by-default = false\n"
    root = make_project(tmp_path / "off", hook=disabled)
    with pytest.raises(SystemExit) as exc:
        _builder(root).build_standard(str(root / "dist"))
    assert exc.value.code == 2
    assert "HATCH_BUILD_HOOK_ENABLE_HARMONY=true" in capsys.readouterr().err


def test_jar_name_and_the_files_clean_recognises(tmp_path: Path) -> None:
    assert jar_file_name("Weather_Example", "1.0.0") == JAR_NAME
    assert jar_file_name("my.connector--x", "2.0rc1+local.7") == "my-connector-x-2.0rc1+local.7.jar"
    for name in (
        JAR_NAME,
        "weather-example-2.0.dev1.jar",
        f".{JAR_NAME}.x1y2.tmp",
        "weather-example-1!2.0.jar",
    ):
        (tmp_path / name).write_bytes(b"")
    for name in ("weather-example-extra-1.0.jar", "weather-example-1.0.zip", "weather-example.jar", "x.jar"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in made_jars(tmp_path, "weather_example")] == sorted(
        [f".{JAR_NAME}.x1y2.tmp", "weather-example-1!2.0.jar", JAR_NAME, "weather-example-2.0.dev1.jar"]
    )
    assert made_jars(tmp_path / "absent", "x") == []


def test_environment_jar_names_and_the_ones_clean_recognises(tmp_path: Path) -> None:
    assert jar_file_name("Weather_Example", "1.0.0", "prod") == "weather-example-1.0.0-prod.jar"
    assert jar_file_name("Weather_Example", "1.0.0", None) == JAR_NAME
    assert jar_file_name("weather", "3.0.2-SNAPSHOT", "eu.prod") == "weather-3.0.2_SNAPSHOT-eu.prod.jar"
    ours = ["weather-1.0.0-prod.jar", "weather-1.0.0-eu.prod.jar", "weather-2.0-dev.jar", "weather-1.0.0.jar"]
    others = ["weather-1.0.0-staging.jar", "weather-2-1.0.jar", "weather-dev.jar", "weather-1.0.0-prod.zip"]
    for name in ours + others:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in made_jars(tmp_path, "weather", ["prod", "eu.prod", "dev"])] == sorted(ours)
    assert [p.name for p in made_jars(tmp_path, "weather")] == ["weather-1.0.0.jar"]


# --------------------------------------------------------------------------- plan_jar: the layout


def _config(root: Path, table: dict[str, Any], build: dict[str, Any] | None = None) -> JarBuilderConfig:
    """The `jar` target's config as hatchling builds it (BuilderInterface.config)."""
    return JarBuilderConfig(_builder(root), str(root), "jar", build or {}, table)


def _plan(root: Path, table: dict[str, Any], manifest: bytes = HOOK_MANIFEST) -> JarPlan:
    return plan_jar(root, _config(root, table), manifest=manifest, adapter=root / "adapter.json")


def _entry_names(entries: tuple[JarEntry, ...]) -> list[str]:
    return sorted(e.name for e in entries)


def test_layout_classes_at_root_lib_and_assets_by_relative_path(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    classes = root / "target" / "classes"
    _fake_classes(classes)
    (classes / "META-INF").mkdir()
    (classes / "META-INF" / "MANIFEST.MF").write_bytes(b"Manifest-Version: 1.0\r\nStale: yes\r\n\r\n")
    shutil.copy(root / "adapter.json", classes / "adapter.json")  # Maven's copy of the resource
    (classes / ".DS_Store").write_bytes(b"junk")
    (root / "ui" / "icons").mkdir(parents=True)
    (root / "ui" / "icons" / "x.svg").write_text("<svg/>", encoding="utf-8")
    (root / "NOTICE.txt").write_text("notice", encoding="utf-8")

    plan = _plan(root, {"classes": "target/classes", "assets": ["ui/icons", "NOTICE.txt"]})
    assert _entry_names(plan.entries) == [
        "NOTICE.txt",
        "adapter.json",
        "com/example/weather/WeatherConnector.class",
        "com/example/weather/sdk/Connection.class",
        "lib/alpha-1.0.jar",
        "lib/zeta-2.0.jar",
        "ui/icons/x.svg",
    ]
    adapter = next(e for e in plan.entries if e.name == "adapter.json")
    assert adapter.source == root / "adapter.json"
    assert plan.notices == ()
    [notice] = plan.once
    assert notice.startswith(
        f"Class-Path: dropped 1 template entry the jar does not bundle: {TEMPLATE_CLASS_PATH}."
    )
    assert b"Class-Path: lib/alpha-1.0.jar lib/zeta-2.0.jar\r\n" in plan.manifest
    assert TEMPLATE_CLASS_PATH.encode() not in plan.manifest
    assert b"Stale" not in plan.manifest
    assert "target/classes (2 .class files), 2 dependency jars on Class-Path" in plan.summary


def test_ui_file_name_comes_from_the_manifest_and_stale_copies_are_reported(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", lib=False)
    (root / "build" / "classes" / "weather-ui.json").write_text('{"old": true}', encoding="utf-8")
    manifest = HOOK_MANIFEST.replace(b"UI: adapter.json", b"UI: weather-ui.json")
    plan = _plan(root, {}, manifest)
    ui = next(e for e in plan.entries if e.name == "weather-ui.json")
    assert ui.source == root / "adapter.json"
    assert "adapter.json" not in _entry_names(plan.entries)
    assert (
        plan.notices[0] == "build/classes/weather-ui.json differs from adapter.json; the jar gets the latter"
    )
    # no jar bundled: the template's Class-Path is dropped, and the once-per-change warning says so
    assert b"Class-Path" not in plan.manifest
    [dropped] = plan.once
    assert dropped.startswith(
        f"Class-Path: dropped 1 template entry the jar does not bundle: {TEMPLATE_CLASS_PATH}."
    )
    assert len(plan.notices) == 1


def test_default_classes_folders_are_tried_in_order(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", lib=False)
    shutil.rmtree(root / "build")
    _fake_classes(root / "build" / "classes" / "java" / "main")
    assert "from build/classes/java/main" in _plan(root, {}).summary
    _fake_classes(root / "target" / "classes")
    assert "from target/classes" in _plan(root, {}).summary


def _no_build_folder(root: Path) -> None:
    shutil.rmtree(root / "build")


def _no_class_files(root: Path) -> None:
    for path in (root / "build").rglob("*.class"):
        path.unlink()


def _lib_in_classes(root: Path) -> None:
    _dependency(root / "build" / "classes" / "lib" / "zeta-2.0.jar", "z")


def _asset_in_classes(root: Path) -> None:
    icon = root / "build" / "classes" / "assets" / "images" / "weather-endpoint.svg"
    icon.parent.mkdir(parents=True)
    icon.write_text("<svg/>", encoding="utf-8")


TARGET = "tool.hatch.build.targets.jar"


@pytest.mark.parametrize(
    ("change", "table", "message"),
    [
        (_no_build_folder, {}, r"no compiled classes: none of target/classes, .*compile first"),
        (None, {"classes": "out"}, rf"{TARGET}\.classes: out does not exist; compile first"),
        (_no_class_files, {}, r"build/classes holds no \.class files: compile first"),
        (None, {"lib": "deps"}, rf"{TARGET}\.lib: deps is not a folder"),
        (None, {"assets": ["icons"]}, rf"{TARGET}\.assets\[0\]: icons does not exist"),
        (
            _lib_in_classes,
            {},
            r"two files would be 'lib/zeta-2\.0\.jar' in the jar: "
            r"build/classes/lib/zeta-2\.0\.jar and lib/zeta-2\.0\.jar",
        ),
        (
            _asset_in_classes,
            {"assets": ["assets"]},
            r"two files would be 'assets/images/weather-endpoint\.svg'",
        ),
    ],
)
def test_layout_errors_name_the_option_and_the_fix(
    tmp_path: Path, change: Callable[[Path], object] | None, table: dict[str, Any], message: str
) -> None:
    root = make_project(tmp_path / "proj")
    if change is not None:
        change(root)
    with pytest.raises(ConfigError, match=message):
        _plan(root, table)


def test_bad_ui_name_and_missing_adapter(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    with pytest.raises(ConfigError, match=r"Jitterbit-Connector-UI: '../adapter.json' is not a file name"):
        _plan(root, {}, HOOK_MANIFEST.replace(b"UI: adapter.json", b"UI: ../adapter.json"))
    (root / "adapter.json").unlink()
    with pytest.raises(ConfigError, match=r"adapter file to bundle as adapter\.json does not exist"):
        _plan(root, {})


def test_unreadable_classes_subfolder_fails_the_build_instead_of_being_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "proj")
    unreadable = root / "build" / "classes" / "com" / "example" / "weather" / "sdk"
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # what a folder without read permission does (even as root)
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    builder = _builder(root)
    with pytest.raises(SystemExit) as exc:
        builder.build_standard(
            str(root / "dist"), harmony_manifest=HOOK_MANIFEST, harmony_adapter=str(root / "adapter.json")
        )
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert f"hatch-harmony: could not build dist/{JAR_NAME}: [Errno 13] Permission denied" in err
    assert not (root / "dist").exists() or not list((root / "dist").iterdir())


# --------------------------------------------------------------------------- Class-Path, the SDK

SDK = "jitterbit-connector-sdk-1.0.0-SNAPSHOT.jar"


def _manifest_with_class_path(class_path: str) -> bytes:
    return HOOK_MANIFEST.replace(
        f"Class-Path: {TEMPLATE_CLASS_PATH}".encode(), f"Class-Path: {class_path}".encode()
    )


def _class_path(plan: JarPlan) -> list[str]:
    from hatch_harmony.jar_manifest import Manifest

    return (Manifest.parse(plan.manifest, source="plan").get("Class-Path") or "").split(" ")


def test_class_path_lists_every_bundled_lib_jar_whichever_source_sorted(tmp_path: Path) -> None:
    """Maven's copy-dependencies (classes/lib), the `lib` option and `assets` all feed Class-Path."""
    root = make_project(tmp_path / "proj", lib=False)
    classes_lib = root / "build" / "classes" / "lib"
    _dependency(classes_lib / "maven-dep-3.0.6.jar", "maven")  # from `classes`
    _dependency(classes_lib / "deep" / "inner-1.0.jar", "inner")  # bundled, but not a lib/*.jar
    (classes_lib / "NOTICE.txt").write_text("not a jar\n", encoding="utf-8")
    _dependency(root / "deps" / "zeta-2.0.jar", "zeta")  # from `lib`
    _dependency(root / "deps" / "my dep-1.0.jar", "space")
    _dependency(root / "lib" / "gamma-1.0.JAR", "gamma")  # from `assets`
    template = "lib/my%20dep-1.0.jar ./lib/zeta-2.0.jar lib/gone-1.0.jar lib/gone-1.0.jar"

    plan = _plan(root, {"lib": "deps", "assets": ["lib"]}, _manifest_with_class_path(template))
    assert _class_path(plan) == [
        "lib/gamma-1.0.JAR",
        "lib/maven-dep-3.0.6.jar",
        "lib/my%20dep-1.0.jar",  # a relative URL: the space is encoded, Java decodes it
        "lib/zeta-2.0.jar",
    ]
    names = _entry_names(plan.entries)
    assert {"lib/deep/inner-1.0.jar", "lib/NOTICE.txt"} <= set(names)
    # Only the entry not bundled is dropped, named once (percent-encoded and ./ forms are matched).
    assert plan.once == (
        "Class-Path: dropped 1 template entry the jar does not bundle: lib/gone-1.0.jar. Class-Path lists "
        "exactly the bundled lib/*.jar; to ship a dependency, put its jar in `lib` or in build/classes/lib "
        "(Maven's copy-dependencies), else remove it from the template's Class-Path",
    )
    assert "4 dependency jars on Class-Path" in plan.summary


def test_the_sdk_is_left_out_of_every_source_with_one_note(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    for folder in (root / "build" / "classes" / "lib", root / "lib", root / "vendor"):
        _dependency(folder / SDK, "sdk")
    template = f"lib/alpha-1.0.jar lib/{SDK} lib/zeta-2.0.jar"

    plan = _plan(root, {"assets": ["vendor"]}, _manifest_with_class_path(template))
    assert not [name for name in _entry_names(plan.entries) if "jitterbit-connector-sdk" in name]
    assert _class_path(plan) == ["lib/alpha-1.0.jar", "lib/zeta-2.0.jar"]
    assert plan.notes == (
        f"not bundled: build/classes/lib/{SDK}, lib/{SDK}, vendor/{SDK}, the Jitterbit connector SDK, which "
        "the agent provides (Maven's system scope); set bundle-sdk = true under "
        "[tool.hatch.build.targets.jar] to bundle it",
    )
    # The template listed the SDK: it is one of the entries dropped, in the one warning.
    [notice] = plan.once
    assert f"dropped 1 template entry the jar does not bundle: lib/{SDK}." in notice


def test_bundle_sdk_true_bundles_it_and_lists_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _dependency(root / "lib" / SDK, "sdk")
    plan = _plan(root, {"bundle-sdk": True})
    assert f"lib/{SDK}" in _entry_names(plan.entries)
    assert _class_path(plan) == ["lib/alpha-1.0.jar", f"lib/{SDK}", "lib/zeta-2.0.jar"]
    assert plan.notes == ()
    assert _plan(root, {"bundle-sdk": False}).notes != ()


def test_the_sdk_stand_in_is_never_bundled_not_even_with_bundle_sdk(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _dependency(root / "lib" / STAND_IN_JAR, "stand-in")
    _dependency(root / "build" / "classes" / "lib" / STAND_IN_JAR, "stand-in")
    for bundle in (True, False):
        plan = _plan(root, {"bundle-sdk": bundle})
        assert not [n for n in _entry_names(plan.entries) if "jitterbit-connector-sdk" in n]
        assert STAND_IN_JAR not in _class_path(plan)
        [note] = plan.notes
        assert note.startswith(
            f"not bundled: build/classes/lib/{STAND_IN_JAR}, lib/{STAND_IN_JAR}, the compile-only"
        )


@pytest.mark.parametrize(
    ("name", "is_sdk"),
    [
        (SDK, True),
        ("jitterbit-connector-sdk.jar", True),
        ("Jitterbit-Connector-SDK-2.1.jar", True),
        ("jitterbit-connector-sdk-extras.jar", False),
        ("my-jitterbit-connector-sdk-1.0.jar", False),
        ("jitterbit-connector-sdk-1.0.jar.sha1", False),
    ],
)
def test_what_counts_as_the_sdk(tmp_path: Path, name: str, is_sdk: bool) -> None:
    root = make_project(tmp_path / "proj", lib=False)
    _dependency(root / "vendor" / name, "x")
    plan = _plan(root, {"assets": ["vendor"]})
    assert (f"vendor/{name}" not in _entry_names(plan.entries)) is is_sdk
    assert bool(plan.notes) is is_sdk


def test_identical_copies_from_two_sources_ship_once_different_ones_fail(tmp_path: Path) -> None:
    """Maven copies assets/ into target/classes: the same bytes twice are one entry, not an error."""
    root = make_project(tmp_path / "proj")
    shutil.copytree(root / "assets", root / "build" / "classes" / "assets")
    (root / "build" / "classes" / "lib").mkdir()
    shutil.copy(root / "lib" / "zeta-2.0.jar", root / "build" / "classes" / "lib" / "zeta-2.0.jar")
    plan = _plan(root, {"assets": ["assets"]})
    names = [e.name for e in plan.entries]
    assert names.count("assets/images/weather-endpoint.svg") == 1
    assert names.count("lib/zeta-2.0.jar") == 1
    assert _class_path(plan) == ["lib/alpha-1.0.jar", "lib/zeta-2.0.jar"]
    (root / "build" / "classes" / "assets" / "images" / "weather-endpoint.svg").write_text("<svg/>")
    with pytest.raises(ConfigError, match=r"weather-endpoint\.svg'.*with different contents"):
        _plan(root, {"assets": ["assets"]})


def test_a_real_build_prints_the_class_path_warning_and_the_sdk_note_once(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _dependency(root / "lib" / SDK, "sdk")
    done = hatchling_build(root)
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert [line for line in lines if line.startswith("jar: Class-Path")] == [
        f"jar: Class-Path: dropped 1 template entry the jar does not bundle: {TEMPLATE_CLASS_PATH}. "
        "Class-Path lists exactly the bundled lib/*.jar; to ship a dependency, put its jar in `lib` or in "
        "build/classes/lib (Maven's copy-dependencies), else remove it from the template's Class-Path"
    ]
    assert len([line for line in lines if SDK in line]) == 1
    with zipfile.ZipFile(root / "dist" / JAR_NAME) as archive:
        assert f"lib/{SDK}" not in archive.namelist()
        assert b"Class-Path: lib/alpha-1.0.jar lib/zeta-2.0.jar\r\n" in archive.read("META-INF/MANIFEST.MF")


def test_the_class_path_warning_is_said_again_only_when_it_changes(tmp_path: Path) -> None:
    """A template the user keeps as it is must not warn on every build; a new dropped entry warns again."""
    root = make_project(tmp_path / "proj")

    def warned() -> list[str]:
        done = hatchling_build(root)
        assert done.returncode == 0, done.stderr
        return [
            line for line in (done.stdout + done.stderr).splitlines() if line.startswith("jar: Class-Path")
        ]

    assert len(warned()) == 1
    assert warned() == []
    changed = HOOK_MANIFEST.replace(TEMPLATE_CLASS_PATH.encode(), b"lib/other-2.0.jar")
    (root / "hook-manifest.mf").write_bytes(changed)
    [line] = warned()
    assert "dropped 1 template entry the jar does not bundle: lib/other-2.0.jar" in line
    assert warned() == []


def test_a_generated_manifest_in_an_asset_folder_is_never_packed(tmp_path: Path) -> None:
    """Issue 14, item 6: `assets = ["build"]` packed another environment's manifest and its secret."""
    root = make_project(tmp_path / "proj")
    _fake_classes(root / "target" / "classes")
    prod = root / "build" / "harmony" / "prod" / "MANIFEST.MF"
    prod.parent.mkdir(parents=True)
    prod.write_bytes(HOOK_MANIFEST.replace(SECRET.encode(), b"prod-secret-canary-77"))

    with pytest.raises(ConfigError) as raised:
        _plan(root, {"classes": "target/classes", "assets": ["build"]})

    message = raised.value.message
    assert "build/harmony/prod/MANIFEST.MF is a generated manifest holding a connector secret" in message
    assert "tool.hatch.build.targets.jar.classes/.assets" in message
    assert "prod-secret-canary-77" not in message


def test_a_manifest_template_with_placeholders_may_be_an_asset(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _fake_classes(root / "target" / "classes")
    (root / "docs").mkdir()
    (root / "docs" / "TEMPLATE.MF").write_bytes(
        b"Jitterbit-Connector-Key: ****\r\nJitterbit-Connector-Secret: ****\r\n"
    )

    plan = _plan(root, {"classes": "target/classes", "assets": ["docs"]})

    assert "docs/TEMPLATE.MF" in _entry_names(plan.entries)


# --------------------------------------------------------------------------- hatchling's options


def _jar_date_times(jar: Path) -> set[tuple[int, ...]]:
    with zipfile.ZipFile(jar) as archive:
        return {info.date_time for info in archive.infolist()}


def test_a_real_build_honours_exclude_and_force_include_by_jar_path(tmp_path: Path) -> None:
    forced = (
        "[tool.hatch.build.targets.custom.force-include]\n"
        '"NOTICE.txt" = "META-INF/NOTICE.txt"\n"extra" = "docs"\n'
    )
    options = (
        'assets = ["assets"]\n'
        'exclude = ["com/example/weather/sdk/", "lib/zeta-*.jar", "assets/images/weather-activity.svg"]\n'
    )
    root = make_project(tmp_path / "proj", options=options + forced)
    (root / "NOTICE.txt").write_text("notice\n", encoding="utf-8")
    (root / "extra" / "sub").mkdir(parents=True)
    (root / "extra" / "a.txt").write_text("a\n", encoding="utf-8")
    (root / "extra" / "sub" / "b.txt").write_text("b\n", encoding="utf-8")
    (root / "extra" / ".DS_Store").write_bytes(b"junk")  # hatchling's forced walk skips it too

    done = hatchling_build(root)
    assert done.returncode == 0, done.stderr
    assert "3 files from force-include" in done.stderr
    jar = root / "dist" / JAR_NAME
    files = sorted(n for n in _names(jar) if not n.endswith("/"))
    assert files == [
        "META-INF/MANIFEST.MF",
        "META-INF/NOTICE.txt",
        "adapter.json",
        "assets/images/weather-endpoint.svg",
        "com/example/weather/WeatherConnector.class",
        "docs/a.txt",
        "docs/sub/b.txt",
        "lib/alpha-1.0.jar",
    ]
    with zipfile.ZipFile(jar) as archive:
        assert archive.read("META-INF/NOTICE.txt") == b"notice\n"
        assert b"Class-Path: lib/alpha-1.0.jar\r\n" in archive.read("META-INF/MANIFEST.MF")


def test_a_real_build_refuses_an_option_it_cannot_honour(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", options='only-include = ["assets"]')
    done = hatchling_build(root)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert (
        "tool.hatch.build.targets.custom.only-include: not an option of the jar target: the jar's files come "
        "from `classes`, `lib` and `assets`" in done.stderr
    )
    assert not list((root / "dist").glob("*.jar"))


def test_project_selection_under_tool_hatch_build_is_not_applied_and_said_once(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write('[tool.hatch.build]\nexclude = ["lib/"]\nonly-include = ["src"]\n')
    done = hatchling_build(root)
    assert done.returncode == 0, done.stderr
    assert {"lib/alpha-1.0.jar", "lib/zeta-2.0.jar"} <= set(_names(root / "dist" / JAR_NAME))
    said = [line for line in done.stderr.splitlines() if "[tool.hatch.build]" in line]
    assert said == [
        "jar: [tool.hatch.build] exclude, only-include select the sdist's and wheel's project files, not "
        "the jar's; set them under [tool.hatch.build.targets.custom] for the jar"
    ]


def test_reproducible_false_stamps_the_build_time_and_ignores_source_date_epoch(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", options="reproducible = false")
    before = int(time.time())
    done = hatchling_build(root, env={"SOURCE_DATE_EPOCH": "1700000000"})
    after = int(time.time())
    assert done.returncode == 0, done.stderr
    [stamp] = _jar_date_times(root / "dist" / JAR_NAME)  # one time for every entry, in UTC
    assert before - 2 <= calendar.timegm((*stamp, 0, 0, 0)) <= after  # zip times have 2 s steps


def test_force_include_wins_over_the_folders_and_keeps_every_jar_rule(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _dependency(root / "vendor" / "zeta-2.0.jar", "forced zeta")  # not lib/'s zeta: different bytes
    _dependency(root / "vendor" / SDK, "sdk")
    plan = _plan(
        root, {"force-include": {"vendor/zeta-2.0.jar": "lib/zeta-2.0.jar", f"vendor/{SDK}": f"lib/{SDK}"}}
    )
    zeta = next(e for e in plan.entries if e.name == "lib/zeta-2.0.jar")
    assert zeta.source == root / "vendor" / "zeta-2.0.jar"
    assert _class_path(plan) == ["lib/alpha-1.0.jar", "lib/zeta-2.0.jar"]
    assert plan.notes and f"vendor/{SDK}" in plan.notes[0]  # the SDK rule holds for forced files too
    assert "1 file from force-include" in plan.summary


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (
            "adapter.json",
            "META-INF/MANIFEST.MF",
            r"force-include: adapter\.json would replace META-INF/MANIFEST\.MF",
        ),
        (
            "NOTICE.txt",
            "adapter.json",
            r"force-include: NOTICE\.txt would replace adapter\.json, which the harmony",
        ),
        ("missing.txt", "x.txt", r"targets\.jar\.force-include: missing\.txt does not exist"),
        (
            "NOTICE.txt",
            "../NOTICE.txt",
            r"targets\.jar\.force-include: NOTICE\.txt: a jar entry name may not contain",
        ),
    ],
)
def test_force_include_errors_name_the_option(tmp_path: Path, source: str, target: str, message: str) -> None:
    root = make_project(tmp_path / "proj")
    (root / "NOTICE.txt").write_text("notice\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        _plan(root, {"force-include": {source: target}})


def test_a_forced_generated_manifest_is_refused_naming_force_include(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    (root / "build" / "harmony").mkdir(parents=True)
    (root / "build" / "harmony" / "MANIFEST.MF").write_bytes(HOOK_MANIFEST)
    with pytest.raises(ConfigError) as raised:
        _plan(root, {"force-include": {"build/harmony": "conf"}})
    assert (
        "build/harmony/MANIFEST.MF is a generated manifest holding a connector secret" in raised.value.message
    )
    assert "Take its folder out of tool.hatch.build.targets.jar.force-include." in raised.value.message
    assert SECRET not in raised.value.message


def test_a_build_hooks_force_include_and_artifacts_are_honoured(tmp_path: Path) -> None:
    """build_data["force_include"] / ["artifacts"], which hatchling hands to the config during the build."""
    root = make_project(tmp_path / "proj")
    (root / "NOTICE.txt").write_text("notice\n", encoding="utf-8")
    config = _config(root, {"assets": ["assets"], "exclude": ["assets/"]})
    build_data = {
        "artifacts": ["assets/images/weather-endpoint.svg"],
        "force_include": {"NOTICE.txt": "NOTICE"},
    }
    with config.set_build_data(build_data):
        plan = plan_jar(root, config, manifest=HOOK_MANIFEST, adapter=root / "adapter.json")
    names = _entry_names(plan.entries)
    assert "NOTICE" in names
    assert "assets/images/weather-endpoint.svg" in names  # an artifact: in, though `exclude` matches it
    assert "assets/images/weather-activity.svg" not in names
    gone = {"artifacts": [], "force_include": {"gone.txt": "gone.txt"}}
    missing = r"^a build hook's force_include: gone\.txt does not exist"
    with config.set_build_data(gone), pytest.raises(ConfigError, match=missing):
        plan_jar(root, config, manifest=HOOK_MANIFEST, adapter=root / "adapter.json")


def test_include_and_exclude_select_by_jar_path_and_artifacts_override(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    plan = _plan(root, {"include": ["com/", "lib/alpha-*"], "artifacts": ["assets/"], "assets": ["assets"]})
    assert _entry_names(plan.entries) == [
        "adapter.json",
        "assets/images/weather-activity.svg",
        "assets/images/weather-endpoint.svg",
        "com/example/weather/WeatherConnector.class",
        "com/example/weather/sdk/Connection.class",
        "lib/alpha-1.0.jar",
    ]
    with pytest.raises(
        ConfigError, match=r"targets\.jar\.include/\.exclude leave none of the 2 \.class files"
    ):
        _plan(root, {"exclude": ["*.class"]})


def test_the_default_excludes_are_patterns_a_negation_can_undo(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    (root / "build" / "classes" / "com" / ".gitkeep").write_bytes(b"")
    (root / "build" / "classes" / "com" / "__pycache__").mkdir()
    (root / "build" / "classes" / "com" / "__pycache__" / "x.pyc").write_bytes(b"")
    assert [
        n for n in _entry_names(_plan(root, {}).entries) if n.startswith("com/") and not n.endswith(".class")
    ] == []
    kept = _entry_names(_plan(root, {"exclude": ["!.gitkeep"]}).entries)
    assert "com/.gitkeep" in kept and "com/__pycache__/x.pyc" not in kept


def test_skip_excluded_dirs_never_enters_an_excluded_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "proj")
    secret_dir = root / "build" / "classes" / "private"
    secret_dir.mkdir()
    (secret_dir / "x.txt").write_text("x", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # an unreadable folder: entering it fails the build
        if Path(path) == secret_dir:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(PermissionError):
        _plan(root, {"exclude": ["private/"]})
    plan = _plan(root, {"exclude": ["private/"], "skip-excluded-dirs": True})
    assert not [n for n in _entry_names(plan.entries) if n.startswith("private")]


def test_force_included_files_named_like_credentials_are_built_into_the_jar(tmp_path: Path) -> None:
    """key.svg, oauth-token.png, email.svg are icons: the credential rule reads option names only."""
    names = ("key.svg", "oauth-token.png", "email.svg")
    table = ", ".join(f'"icons/{n}" = "images/{n}"' for n in names)
    root = make_project(tmp_path / "proj", options=f"force-include = {{ {table} }}")
    for name in names:
        (root / "icons").mkdir(exist_ok=True)
        (root / "icons" / name).write_text(f"<svg>{name}</svg>", encoding="utf-8")

    done = hatchling_build(root)

    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(root / "dist" / JAR_NAME) as zf:
        for name in names:
            assert zf.read(f"images/{name}") == f"<svg>{name}</svg>".encode()


# --------------------------------------------------------------------------- import cost


def test_listing_the_targets_imports_the_jar_builder_only() -> None:
    """hatchling calls hatch_register_builder for `hatch build` of any target: that must stay cheap."""
    code = (
        "import sys\n"
        "from hatchling.plugin.manager import PluginManager\n"
        "builders = PluginManager().builder.collect()\n"
        "assert builders['jar'].__name__ == 'JarBuilder', builders\n"
        "print(sorted(m for m in sys.modules if m.startswith('hatch_harmony.')))\n"
        "builders['jar'].get_config_class()\n"
        "print(sorted(m for m in sys.modules if m.startswith('hatch_harmony.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    listed, configured = (set(eval(line)) for line in done.stdout.splitlines())  # noqa: S307 (our own output)
    jar_machinery = {"hatch_harmony.jar.config", "hatch_harmony.jar.layout", "hatch_harmony.jar.archive"}
    assert "hatch_harmony.jar.builder" in listed
    assert not listed & (
        jar_machinery
        | {"hatch_harmony.config", "hatch_harmony.jar_manifest", "hatch_harmony.project.connector_manifest"}
    )
    assert configured - listed == {"hatch_harmony.jar.config"}
