"""`hatch build` end to end: real hatchling builds of temp projects, in subprocesses, against the emulator.

Builds run without isolation (`python -m hatchling build`, `python -m build -n`,
`pip wheel --no-build-isolation`) because the hatch-harmony under test is the one
installed in this environment, not a release on an index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.hooks import JAR_HINT
from tests.artifacts import archive_members, assert_no_secret_in
from tests.plugins.java import JavaManifestReader
from tests.projects import Project, build_env

PROJECT = Project("Acme Hook", "acme-hook", version="0.3.0")
JAVA = 'package acme; public final class Hello { public static String hi() { return "hi"; } }\n'


@pytest.fixture(scope="session")
def compiled_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny class compiled once; jar builds refuse a classes folder without .class files."""
    javac = shutil.which("javac")
    if javac is None:
        pytest.skip("javac not found: jar builds need compiled classes (install a JDK)")
    src = tmp_path_factory.mktemp("java-src")
    (src / "Hello.java").write_text(JAVA, encoding="utf-8")
    out = tmp_path_factory.mktemp("java-classes")
    subprocess.run([javac, "--release", "11", "-d", str(out), str(src / "Hello.java")], check=True)
    return out


def make_project(root: Path, *, hook: str = "", gitignore: bool = True, package: bool = False) -> Path:
    return PROJECT.make(root, hook=hook, gitignore=gitignore, class_file=None, package=package)


def with_classes(root: Path, classes: Path) -> Path:
    shutil.copytree(classes, root / "build" / "classes", dirs_exist_ok=True)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "acme")


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def hatchling(project: Path, env: dict[str, str], *targets: str) -> subprocess.CompletedProcess[str]:
    args = [arg for target in targets for arg in ("-t", target)]
    return run([sys.executable, "-m", "hatchling", "build", *args], project, env)


def requests(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


def test_jar_build_registers_once_and_java_reads_the_manifest(
    project: Path, emulator: Emulator, compiled_classes: Path, java_manifest: JavaManifestReader
) -> None:
    with_classes(project, compiled_classes)
    first = hatchling(project, build_env(emulator), "jar")
    assert first.returncode == 0, first.stderr
    assert "harmony: registered 'Acme Hook' 1.0.0" in first.stderr + first.stdout
    assert (emulator.counts()["login"], emulator.counts()["list"], emulator.counts()["register"]) == (1, 1, 1)
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    jar = project / "dist" / "acme_hook-0.3.0.jar"
    if not jar.exists():
        [jar] = (project / "dist").glob("*.jar")
    read = java_manifest(jar)
    start = int(reg.function_entity_start_id)
    assert read["main"] == {
        "Manifest-Version": "1.0",
        "Version": "0.3.0",  # the project version (one version to bump)
        "Jitterbit-Connector": "true",
        "Jitterbit-Connector-UI": "adapter.json",
        "Jitterbit-Connector-Key": reg.key,
        "Jitterbit-Connector-Secret": reg.secret,
        "Jitterbit-Connector-Endpoint-EntityTypeId": reg.endpoint_entity_id,
        "Jitterbit-Activity-EntityTypeId-fetch": str(start),
        "Jitterbit-Activity-EntityTypeId-put": str(start + 1),
    }
    with zipfile.ZipFile(jar) as archive:
        names = archive.namelist()
    assert names[:2] == ["META-INF/", "META-INF/MANIFEST.MF"]
    assert "adapter.json" in names and "acme/Hello.class" in names
    manifest = project / "build" / "harmony" / "MANIFEST.MF"
    assert manifest.stat().st_mode & 0o777 == 0o600
    assert_no_secret_in(
        emulator, first.stdout.encode(), first.stderr.encode(), (project / "harmony.lock").read_bytes()
    )

    emulator.reset_counts()
    first_bytes = jar.read_bytes()
    jar.unlink()
    second = hatchling(project, build_env(emulator), "jar")
    assert second.returncode == 0, second.stderr
    assert requests(emulator) == 0
    assert "0 requests" in second.stderr + second.stdout
    assert jar.read_bytes() == first_bytes  # reproducible: byte-identical


def test_fresh_checkout_with_committed_lock_takes_two_requests(
    project: Path, emulator: Emulator, compiled_classes: Path
) -> None:
    with_classes(project, compiled_classes)
    assert hatchling(project, build_env(emulator), "jar").returncode == 0
    (project / "build" / "harmony" / "MANIFEST.MF").unlink()  # a CI checkout: lock, no manifest
    emulator.reset_counts()
    again = hatchling(project, build_env(emulator), "jar")
    assert again.returncode == 0, again.stderr
    assert (emulator.counts()["login"], emulator.counts()["list"], requests(emulator)) == (1, 1, 2)
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_sdist_and_wheel_carry_the_lock_but_no_secret(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "acme", package=True)
    result = hatchling(project, build_env(emulator))
    assert result.returncode == 0, result.stderr
    [sdist] = (project / "dist").glob("*.tar.gz")
    [wheel] = (project / "dist").glob("*.whl")
    members = dict(archive_members(sdist))
    assert any(name.endswith("/harmony.lock") for name in members)
    assert not any("MANIFEST.MF" in name for name in members)
    wheel_members = dict(archive_members(wheel))
    assert not any(name.endswith("MANIFEST.MF") for name in wheel_members)
    assert_no_secret_in(
        emulator, *members.values(), *wheel_members.values(), sdist.read_bytes(), wheel.read_bytes()
    )
    assert emulator.counts()["register"] == 1  # sdist registered; the wheel build was warm


def test_sdist_and_wheel_builds_say_in_one_line_where_the_jar_comes_from(
    tmp_path: Path, emulator: Emulator
) -> None:
    """`hatch build` builds the sdist and wheel only: a project with a jar target hears where its jar is."""
    project = PROJECT.make(tmp_path / "acme", package=True)
    for attempt in ("full", "warm"):
        result = hatchling(project, build_env(emulator))
        assert result.returncode == 0, result.stderr
        output = result.stdout + result.stderr
        assert output.count(JAR_HINT) == 2, attempt  # one line under the sdist, one under the wheel
    assert "nothing it depends on changed" in output
    assert not list((project / "dist").glob("*.jar"))
    jar = hatchling(project, build_env(emulator), "jar")
    assert jar.returncode == 0 and JAR_HINT not in jar.stdout + jar.stderr
    without = Project("Acme Hook", "acme-hook", version="0.3.0", jar=None).make(
        tmp_path / "plain", package=True
    )
    plain = hatchling(without, build_env(emulator))
    assert plain.returncode == 0, plain.stderr
    assert JAR_HINT not in plain.stdout + plain.stderr


def test_manifest_that_would_be_packaged_is_refused_before_any_request(
    tmp_path: Path, emulator: Emulator
) -> None:
    project = make_project(tmp_path / "acme", gitignore=False, package=True)
    result = hatchling(project, build_env(emulator), "sdist")
    assert result.returncode != 0
    assert "build/harmony/MANIFEST.MF would be packaged into the sdist" in result.stderr
    assert "Traceback" not in result.stderr
    assert requests(emulator) == 0
    assert not list((project / "dist").glob("*")) if (project / "dist").exists() else True
    assert not (project / "harmony.lock").exists()


def test_python_m_build_builds_the_wheel_from_the_sdist_without_registering_twice(
    tmp_path: Path, emulator: Emulator
) -> None:
    project = make_project(tmp_path / "acme", package=True)
    result = run([sys.executable, "-m", "build", "--no-isolation"], project, build_env(emulator))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "building from an unpacked sdist" in result.stdout + result.stderr
    assert emulator.counts()["register"] == 1
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    for artifact in (project / "dist").iterdir():
        assert_no_secret_in(emulator, *(blob for _, blob in archive_members(artifact)))


def test_uv_build_registers_once_and_skips_in_the_unpacked_sdist(tmp_path: Path, emulator: Emulator) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv is not None, "uv is a test dependency (pip install -e '.[test]')"
    project = make_project(tmp_path / "acme", package=True)
    result = run(
        [uv, "build", "--no-build-isolation", "--python", sys.executable], project, build_env(emulator)
    )
    assert result.returncode == 0, result.stderr + result.stdout
    output = result.stdout + result.stderr
    assert "harmony: registered 'Acme Hook'" in output and "building from an unpacked sdist" in output
    assert emulator.counts()["register"] == 1
    artifacts = sorted(p.name for p in (project / "dist").iterdir() if not p.name.startswith("."))
    assert sorted(a.rsplit(".", 1)[-1] for a in artifacts) == ["gz", "whl"]
    for artifact in (project / "dist").iterdir():
        if artifact.suffix in (".gz", ".whl"):
            assert_no_secret_in(emulator, *(blob for _, blob in archive_members(artifact)))


def test_pip_wheel_runs_the_hook(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "acme", package=True)
    out = tmp_path / "wheels"
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-build-isolation",
            "--no-deps",
            "-w",
            str(out),
            str(project),
        ],
        tmp_path,
        build_env(emulator),
    )
    assert result.returncode == 0, result.stderr
    assert emulator.counts()["register"] == 1
    assert (project / "harmony.lock").exists()
    [wheel] = out.glob("*.whl")
    assert_no_secret_in(emulator, *(blob for _, blob in archive_members(wheel)))


def test_editable_build_never_touches_the_network(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "acme", package=True)
    result = hatchling(project, build_env(emulator), "wheel:editable")
    assert result.returncode == 0, result.stderr
    assert "editable" in result.stderr + result.stdout
    assert requests(emulator) == 0
    assert not (project / "harmony.lock").exists()


def test_config_errors_are_all_reported_with_their_toml_paths(tmp_path: Path, emulator: Emulator) -> None:
    hook = 'regoin = "na"\nverify = "yes"\npassword = "hunter2-canary"\n'
    project = make_project(tmp_path / "acme", hook=hook, package=True)
    result = hatchling(project, build_env(emulator), "wheel")
    assert result.returncode != 0
    for path in ("harmony.regoin", "harmony.verify", "harmony.password"):
        assert f"tool.hatch.build.hooks.{path}" in result.stderr
    assert "hunter2-canary" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert requests(emulator) == 0
    assert not (project / "harmony.lock").exists() and not (project / "build").exists()


def test_hook_disabled_by_default_runs_only_when_enabled_by_environment(
    tmp_path: Path, emulator: Emulator, compiled_classes: Path
) -> None:
    project = with_classes(
        make_project(tmp_path / "acme", hook="enable-by-default = false"), compiled_classes
    )
    off = hatchling(project, build_env(emulator), "jar")
    assert off.returncode != 0
    assert "harmony" in off.stderr and "Traceback" not in off.stderr
    assert requests(emulator) == 0
    on = hatchling(project, build_env(emulator, HATCH_BUILD_HOOK_ENABLE_HARMONY="true"), "jar")
    assert on.returncode == 0, on.stderr
    assert emulator.counts()["register"] == 1


def test_missing_classes_folder_is_a_clear_error_not_an_empty_jar(project: Path, emulator: Emulator) -> None:
    result = hatchling(project, build_env(emulator), "jar")
    assert result.returncode != 0
    assert "build/classes" in result.stderr and "Traceback" not in result.stderr
    assert not list((project / "dist").glob("*.jar")) if (project / "dist").exists() else True


def test_status_lines_never_show_a_secret(project: Path, emulator: Emulator, compiled_classes: Path) -> None:
    with_classes(project, compiled_classes)
    result = hatchling(project, build_env(emulator), "jar")
    assert result.returncode == 0
    text = (result.stdout + result.stderr).encode()
    assert_no_secret_in(emulator, text)
    assert b"requests" in text


def test_an_unwritable_manifest_path_is_refused_before_any_request(
    project: Path, emulator: Emulator, compiled_classes: Path
) -> None:
    """Checked offline first: a file where the manifest folder should be.

    That the lock is written before the manifest when the manifest write itself fails
    (a crash, a full disk) is test_faults.py's `during-manifest-write` step.
    """
    with_classes(project, compiled_classes)
    blocker = project / "build" / "harmony"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the manifest folder should be", encoding="utf-8")
    failed = hatchling(project, build_env(emulator), "jar")
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert "build/harmony is a file" in failed.stderr
    assert sum(emulator.counts().values()) == 0
    assert not (project / "harmony.lock").exists()
    blocker.unlink()
    again = hatchling(project, build_env(emulator), "jar")
    assert again.returncode == 0, again.stderr
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_a_bad_source_date_epoch_stops_the_build_before_any_request(
    project: Path, emulator: Emulator, compiled_classes: Path
) -> None:
    with_classes(project, compiled_classes)
    failed = hatchling(project, build_env(emulator, SOURCE_DATE_EPOCH="abc"), "jar")
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert "SOURCE_DATE_EPOCH must be a whole number" in failed.stderr
    assert sum(emulator.counts().values()) == 0
    assert not (project / "harmony.lock").exists() and not (project / "build" / "harmony").exists()
    assert list((project / "dist").glob("*")) == []  # hatchling makes dist/ itself; no jar in it


WARM = "nothing it depends on changed since the last build"


def test_warm_stamp_reuses_the_manifest_until_an_input_changes(
    project: Path, emulator: Emulator, compiled_classes: Path, java_manifest: JavaManifestReader
) -> None:
    with_classes(project, compiled_classes)
    first = hatchling(project, build_env(emulator), "jar")
    assert first.returncode == 0, first.stderr
    assert WARM not in first.stderr
    emulator.reset_counts()
    warm = hatchling(project, build_env(emulator), "jar")
    assert warm.returncode == 0 and WARM in warm.stderr
    assert requests(emulator) == 0
    [jar] = (project / "dist").glob("*.jar")
    before = java_manifest(jar)["main"]

    # An edit of the same size right after a build (file times are coarse): still noticed.
    adapter = json.loads((project / "adapter.json").read_text(encoding="utf-8"))
    adapter["activities"] = {"fetch": {}, "pull": {}}  # put -> pull, same length
    (project / "adapter.json").write_text(json.dumps(adapter, indent=2), encoding="utf-8")
    changed = hatchling(project, build_env(emulator), "jar")
    assert changed.returncode == 0, changed.stderr
    assert WARM not in changed.stderr and "harmony: offline" in changed.stderr
    after = java_manifest(jar)["main"]
    assert (
        "Jitterbit-Activity-EntityTypeId-pull" in after and "Jitterbit-Activity-EntityTypeId-put" not in after
    )
    assert after["Jitterbit-Activity-EntityTypeId-fetch"] == before["Jitterbit-Activity-EntityTypeId-fetch"]

    again = hatchling(project, build_env(emulator), "jar")
    assert WARM in again.stderr
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    with_key = hatchling(
        project,
        build_env(emulator, HARMONY_CONNECTOR_KEY=reg.key, HARMONY_CONNECTOR_SECRET=reg.secret),
        "jar",
    )
    assert with_key.returncode == 0 and WARM not in with_key.stderr  # such runs never use a stamp
    assert requests(emulator) == 0
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "hatch-harmony" / "warm"
    for stamp in cache.glob("*.json"):
        text = stamp.read_bytes()
        assert_no_secret_in(emulator, text)
        assert stamp.stat().st_mode & 0o777 == 0o600


def test_warm_stamp_notices_a_git_add_of_the_manifest(
    project: Path, emulator: Emulator, compiled_classes: Path
) -> None:
    with_classes(project, compiled_classes)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    assert hatchling(project, build_env(emulator), "jar").returncode == 0
    assert WARM in hatchling(project, build_env(emulator), "jar").stderr
    subprocess.run([*git, "add", "-f", "build/harmony/MANIFEST.MF"], cwd=project, check=True)
    refused = hatchling(project, build_env(emulator), "jar")
    assert refused.returncode != 0
    assert "tracked by git" in refused.stderr
