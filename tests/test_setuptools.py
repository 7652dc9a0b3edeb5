"""setuptools-built connector projects end to end: real builds of temp projects against the emulator.

Builds run without isolation (`python -m build -n`, `pip wheel --no-build-isolation`) so that
the hatch-harmony under test is the one installed (editable) in this environment, whose
`setuptools.finalize_distribution_options` entry point setuptools loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from hatch_harmony.setuptools_plugin import finalize_distribution_options
from tests.artifacts import archive_members, assert_no_secret_in
from tests.plugins.java import JavaManifestReader

ADAPTER = {
    "name": "Acme Tools",
    "version": "2.1.0",
    "endpoint": {"displayName": "Acme", "properties": []},
    "activities": {"fetch": {"displayName": "Fetch"}, "put": {"displayName": "Put"}},
}
PYPROJECT = """\
[build-system]
requires = ["setuptools>=64", "hatch-harmony[setuptools]"]
build-backend = "setuptools.build_meta"

[project]
name = "acme-tools"
version = "0.4.0"

[tool.setuptools]
packages = ["acme_tools"]
{extra}
"""
TABLE = "[tool.hatch-harmony]\n"
#: The sdist and the wheel from the source tree in ONE process (as some frontends do);
#: build_meta rewrites sys.argv, so the output folder is read first.
BUILD_BOTH = (
    "import sys\nfrom setuptools import build_meta\nout = sys.argv[1]\n"
    "print(build_meta.build_sdist(out), build_meta.build_wheel(out))"
)
CANARY = "hunter2-canary"


def make_project(root: Path, *, extra: str = TABLE, adapter: dict[str, object] | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(extra=extra), encoding="utf-8")
    (root / "adapter.json").write_text(json.dumps(adapter or ADAPTER), encoding="utf-8")
    (root / "acme_tools").mkdir()
    (root / "acme_tools" / "__init__.py").write_text('"""Acme tools."""\n', encoding="utf-8")
    return root


def build_env(emulator: Emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONY_")}
    env.update(HARMONY_URL=emulator.url, HARMONY_EMAIL=DEFAULT_EMAIL, HARMONY_PASSWORD=DEFAULT_PASSWORD)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def python_m_build(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "build", "--no-isolation", *args], project, env)


def pip_wheel(project: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = ["pip", "wheel", "-v", "--no-build-isolation", "--no-deps", "-w", str(out), str(project)]
    return run([sys.executable, "-m", *command], project.parent, env)


def requests(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


def assert_artifacts_hold_no_secret(emulator: Emulator, folder: Path, expected: set[str]) -> None:
    artifacts = sorted(folder.iterdir())
    assert {p.name.rsplit(".", 1)[-1] for p in artifacts} == expected
    for artifact in artifacts:
        content = dict(archive_members(artifact))
        assert not any(name.endswith("MANIFEST.MF") for name in content), artifact
        assert_no_secret_in(emulator, artifact.read_bytes(), *content.values())


def test_python_m_build_writes_the_manifest_once_and_packages_no_secret(
    tmp_path: Path, emulator: Emulator, java_manifest: JavaManifestReader
) -> None:
    project = make_project(tmp_path / "acme", extra=TABLE + 'attributes = { Author = "ACME" }\n')
    first = python_m_build(project, build_env(emulator))
    output = first.stdout + first.stderr
    assert first.returncode == 0, output
    assert (emulator.counts()["login"], emulator.counts()["list"], emulator.counts()["register"]) == (1, 1, 1)
    assert requests(emulator) == 3
    assert "harmony: registered 'Acme Tools' 2.1.0" in first.stderr and "; 3 requests" in first.stderr
    assert "harmony: manifest written: build/harmony/MANIFEST.MF" in first.stderr
    # the wheel is built from the unpacked sdist, where the step is skipped (no second registration)
    assert "building from an unpacked sdist" in first.stderr
    assert "Traceback" not in output and "send_request_headers" not in output  # no HTTP debug chatter
    assert ".harmony.lock.lck" not in output and "acquire lock" not in output  # nor filelock's DEBUG lines

    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    manifest = project / "build" / "harmony" / "MANIFEST.MF"
    start = int(reg.function_entity_start_id)
    assert java_manifest(manifest)["main"] == {
        "Manifest-Version": "1.0",
        "Version": "0.4.0",  # the project version (one version to bump)
        "Jitterbit-Connector": "true",
        "Jitterbit-Connector-UI": "adapter.json",
        "Author": "ACME",
        "Jitterbit-Connector-Key": reg.key,
        "Jitterbit-Connector-Secret": reg.secret,
        "Jitterbit-Connector-Endpoint-EntityTypeId": reg.endpoint_entity_id,
        "Jitterbit-Activity-EntityTypeId-fetch": str(start),
        "Jitterbit-Activity-EntityTypeId-put": str(start + 1),
    }
    assert manifest.stat().st_mode & 0o777 == 0o600
    assert_no_secret_in(emulator, output.encode(), (project / "harmony.lock").read_bytes())
    assert_artifacts_hold_no_secret(emulator, project / "dist", {"gz", "whl"})

    before = manifest.read_bytes()
    emulator.reset_counts()
    second = python_m_build(project, build_env(emulator))
    assert second.returncode == 0, second.stderr
    assert requests(emulator) == 0
    assert "; 0 requests" in second.stderr and "manifest up to date" in second.stderr
    assert manifest.read_bytes() == before
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_pip_wheel_registers_once_with_the_project_version(tmp_path: Path, emulator: Emulator) -> None:
    # adapter.json without a version: the registered version is [project].version, which
    # setuptools has not applied yet when the hook runs (the plugin reads it from pyproject)
    adapter = {key: value for key, value in ADAPTER.items() if key != "version"}
    project = make_project(tmp_path / "acme", adapter=adapter)
    first = pip_wheel(project, tmp_path / "wheels", build_env(emulator))
    assert first.returncode == 0, first.stdout + first.stderr
    assert emulator.counts()["register"] == 1 and requests(emulator) == 3
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    assert (reg.name, reg.version) == ("Acme Tools", "0.4.0")
    # pip's metadata step (prepare_metadata_for_build_wheel) does not run the engine: one status line
    assert (first.stdout + first.stderr).count("harmony: manifest ") == 1
    assert (project / "harmony.lock").is_file() and (project / "build/harmony/MANIFEST.MF").is_file()
    assert_artifacts_hold_no_secret(emulator, tmp_path / "wheels", {"whl"})
    assert_no_secret_in(emulator, (first.stdout + first.stderr).encode())


@pytest.mark.parametrize("frontend", ["build", "pip"])
def test_config_errors_name_their_toml_path_without_a_traceback(
    tmp_path: Path, emulator: Emulator, frontend: str
) -> None:
    table = TABLE + f'regoin = "na"\nverify = "yes"\npassword = "{CANARY}"\n'
    project = make_project(tmp_path / "acme", extra=table)
    if frontend == "build":
        result = python_m_build(project, build_env(emulator), "--wheel")
    else:
        result = pip_wheel(project, tmp_path / "wheels", build_env(emulator))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "hatch-harmony: 3 problems in the hatch-harmony settings (pyproject.toml)" in output
    for key in ("regoin", "verify", "password"):
        assert f"tool.hatch-harmony.{key}:" in output
    assert 'Did you mean "region"?' in output
    assert CANARY not in output and "Traceback" not in output
    assert requests(emulator) == 0
    assert not (project / "harmony.lock").exists() and not (project / "build" / "harmony").exists()


def test_project_without_the_table_is_untouched(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "plain", extra="")
    result = python_m_build(project, build_env(emulator))
    assert result.returncode == 0, result.stderr
    assert "harmony" not in (result.stdout + result.stderr).lower().replace("hatch-harmony[setuptools]", "")
    assert requests(emulator) == 0
    assert not (project / "harmony.lock").exists() and not (project / "build" / "harmony").exists()
    assert not list(project.rglob(".*.lck"))
    # ... and costs nothing: a Distribution built there loads the entry point module, not the engine
    probe = (
        "import sys\nfrom setuptools.dist import Distribution\nDistribution({'script_args': ['sdist']})\n"
        "print(sorted(m for m in sys.modules if m.startswith(('hatch_harmony', 'httpx'))))"
    )
    loaded = run([sys.executable, "-c", probe], project, build_env(emulator))
    assert loaded.returncode == 0, loaded.stderr
    # (its pyproject names hatch-harmony in build-system.requires, so the entry point reads the file
    # with the project's one TOML reader, long_integers; nothing of the engine, no httpx)
    expected = [
        "hatch_harmony",
        "hatch_harmony.setuptools_plugin",
        "hatch_harmony.util",
        "hatch_harmony.util.long_integers",
    ]
    assert loaded.stdout.strip() == str(expected)


def test_metadata_only_commands_do_not_run_the_engine(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "acme")
    result = run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "egg_info"],
        project,
        build_env(emulator),
    )
    assert result.returncode == 0, result.stderr
    assert "harmony:" not in result.stdout + result.stderr
    assert requests(emulator) == 0 and not (project / "harmony.lock").exists()


def test_one_process_building_sdist_and_wheel_runs_the_engine_once(
    tmp_path: Path, emulator: Emulator
) -> None:
    project = make_project(tmp_path / "acme")
    result = run([sys.executable, "-c", BUILD_BOTH, str(tmp_path / "out")], project, build_env(emulator))
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("harmony: manifest written") == 1
    assert requests(emulator) == 3
    assert_artifacts_hold_no_secret(emulator, tmp_path / "out", {"gz", "whl"})


def test_editable_build_never_touches_the_network(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "acme")
    script = "import sys\nfrom setuptools import build_meta\nprint(build_meta.build_editable(sys.argv[1]))"
    result = run([sys.executable, "-c", script, str(tmp_path / "out")], project, build_env(emulator))
    assert result.returncode == 0, result.stderr
    assert "harmony: warning: an editable install never talks to Harmony" in result.stderr
    assert requests(emulator) == 0
    assert not (project / "harmony.lock").exists() and not (project / "build" / "harmony").exists()


IN_PACKAGE = (
    'manifest = "acme_tools/META-INF/MANIFEST.MF"\n'
    '[tool.setuptools.package-data]\nacme_tools = ["META-INF/*"]\n'
)
SELECTED = [
    pytest.param(
        "graft acme_tools\n",
        "would be packaged into the sdist (it is in setuptools' file list)",
        "`exclude acme_tools/META-INF/MANIFEST.MF` to MANIFEST.in",
        id="sdist-file-list",
    ),
    pytest.param(
        "exclude acme_tools/META-INF/MANIFEST.MF\n",
        "would be packaged into the wheel as package data of 'acme_tools'",
        '`"acme_tools" = ["META-INF/MANIFEST.MF"]` under [tool.setuptools.exclude-package-data]',
        id="wheel-package-data",
    ),
]


@pytest.mark.parametrize(("manifest_in", "refusal", "fix"), SELECTED)
def test_a_manifest_setuptools_would_package_stops_the_build_before_any_archive(
    tmp_path: Path, emulator: Emulator, manifest_in: str, refusal: str, fix: str
) -> None:
    project = make_project(tmp_path / "acme", extra=TABLE + IN_PACKAGE)
    (project / "MANIFEST.in").write_text(manifest_in, encoding="utf-8")
    result = python_m_build(project, build_env(emulator), "--wheel")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"hatch-harmony: tool.hatch-harmony.manifest: acme_tools/META-INF/MANIFEST.MF {refusal}" in output
    assert fix in output and "Traceback" not in output
    assert not (project / "dist").exists() or not list((project / "dist").iterdir())
    assert not list((project / "build").glob("lib*/**/MANIFEST.MF"))
    # the registration is recorded, so fixing the configuration does not register again
    assert (project / "harmony.lock").is_file() and len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_the_suggested_exclusion_lets_the_build_through_without_the_secret(
    tmp_path: Path, emulator: Emulator
) -> None:
    exclusion = '[tool.setuptools.exclude-package-data]\nacme_tools = ["META-INF/MANIFEST.MF"]\n'
    project = make_project(tmp_path / "acme", extra=TABLE + IN_PACKAGE + exclusion)
    # both from the source tree, where the manifest is (python -m build's wheel comes from the sdist)
    result = run([sys.executable, "-c", BUILD_BOTH, str(tmp_path / "out")], project, build_env(emulator))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "acme_tools" / "META-INF" / "MANIFEST.MF").is_file()
    assert_artifacts_hold_no_secret(emulator, tmp_path / "out", {"gz", "whl"})


class _FakeDist:
    def __init__(self, script_args: list[str] | None, src_root: Path) -> None:
        self.script_args = script_args
        self.src_root: str | None = str(src_root)
        self.metadata = None

    def run_command(self, command: str) -> None:
        raise AssertionError(f"the hook ran {command}")

    def get_command_obj(self, command: str, create: bool = True) -> object:
        raise AssertionError(f"the hook asked for {command}")


@pytest.mark.parametrize(
    "pyproject",
    [
        None,
        '[project]\nname = "x"\n',
        '[build-system]\nrequires = ["hatch-harmony"]\n',  # names us, has no table
        '[tool.hatch-harmony\nbroken = "toml"\n',  # setuptools reports broken TOML itself
        '[tool.hatch-harmony]\nregoin = "na"\n',  # a table, but PKG-INFO and no .git: an unpacked sdist
    ],
)
def test_gate_leaves_other_projects_alone(tmp_path: Path, pyproject: str | None) -> None:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "PKG-INFO").write_text("Metadata-Version: 2.1\n", encoding="utf-8")
    dist = _FakeDist(["bdist_wheel"], tmp_path)
    finalize_distribution_options(dist)  # type: ignore[arg-type]
    assert "run_command" not in vars(dist)  # no guard installed, no command touched
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["PKG-INFO"] + (["pyproject.toml"] if pyproject is not None else [])
    )


def test_config_error_in_process_is_a_systemexit_with_the_message(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.hatch-harmony]\nregoin = "na"\ntoken = "{CANARY}"\n', encoding="utf-8"
    )
    with pytest.raises(SystemExit) as caught:
        finalize_distribution_options(_FakeDist(["sdist"], tmp_path))  # type: ignore[arg-type]
    message = str(caught.value.code)
    assert message.startswith("hatch-harmony: 2 problems")
    assert "tool.hatch-harmony.regoin" in message and "tool.hatch-harmony.token" in message
    assert CANARY not in message
