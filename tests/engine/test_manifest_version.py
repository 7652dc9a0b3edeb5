"""One version to bump: the manifest `Version` is the project version, and the jar is named after it.

Agents reload a connector when its manifest `Version` changes, so a release that bumps the
project and forgets a template's literal `Version` would ship a jar agents never reload. The
registration (and every activity id) stays across a bump: 0 requests, and the notice names
whose version it compared (the project's or adapter.json's, and the lock's).
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from hatch_harmony.config import load_config
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.engine.inputs import project_version
from hatch_harmony.engine.pipeline import Generated, generate
from hatch_harmony.init.scaffold import TEMPLATE, scaffold
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.lock import read_lock
from tests.plugins.emulator import harmony_env
from tests.projects import Project, hatchling_build, write_adapter

PROJECT = Project("Acme Versions", "acme-versions", version="3.0.2", activities=("fetch", "put"))
TEMPLATE_TEXT = (
    "Author: ACME\nVersion: 3.0.2\nJitterbit-Connector-Key: ****\nJitterbit-Connector-Secret: ****\n"
)


def make(root: Path, *, hook: str = "", adapter_version: str | None = None) -> Path:
    PROJECT.make(root, hook=hook, adapter=PROJECT.adapter(version=adapter_version))
    return root


def run(root: Path, emulator: Emulator, version: str, **table: object) -> Generated:
    env = harmony_env(emulator)
    return generate(load_config(table, root, env), env, project_version=version)


def version_in(data: bytes) -> str | None:
    return Manifest.parse(data).get("Version")


def test_the_manifest_version_is_the_project_version_by_default(tmp_path: Path, emulator: Emulator) -> None:
    root = make(tmp_path / "acme")
    result = run(root, emulator, "3.0.2")
    parsed = Manifest.parse(result.manifest)
    assert parsed.main.names()[:2] == ["Manifest-Version", "Version"]
    assert parsed.get("Version") == "3.0.2"
    assert not [n for n in result.outcome.notices if "Version" in n]


def test_a_bump_rewrites_the_version_keeps_the_registration_and_names_the_project(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make(tmp_path / "acme")
    first = run(root, emulator, "3.0.2")
    emulator.reset_counts()

    bumped = run(root, emulator, "3.0.3")

    assert version_in(bumped.manifest) == "3.0.3"
    assert sum(emulator.counts().values()) == 0 and bumped.outcome.action == "offline"
    assert bumped.outcome.activity_ids == first.outcome.activity_ids
    assert bumped.outcome.registration.id == first.outcome.registration.id
    [entry] = read_lock(root / "harmony.lock").entries
    assert entry.version == "3.0.2"  # the registration stays as it was
    [notice] = [n for n in bumped.outcome.notices if "registration in harmony.lock" in n]
    assert notice.startswith("the project version is 3.0.3, the registration in harmony.lock is 3.0.2")
    assert "adapter.json" not in notice  # adapter.json has no version here: it is not to blame


def test_with_an_adapter_version_the_notice_names_adapter_json_and_the_manifest_follows_the_project(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make(tmp_path / "acme", adapter_version="1.0.0")
    run(root, emulator, "3.0.2")
    write_adapter(root, PROJECT.adapter(version="1.1.0"))
    result = run(root, emulator, "3.0.2")
    assert version_in(result.manifest) == "3.0.2"
    assert any(
        n.startswith("adapter.json `version` is 1.1.0, the registration in harmony.lock is 1.0.0")
        for n in result.outcome.notices
    )
    # adapter.json changed: the way to make agents reload is the one version there is to bump
    assert any(
        "bump the project version (the manifest `Version` follows it)" in n for n in result.outcome.notices
    )


def test_a_template_version_that_differs_is_overridden_with_one_notice_naming_both(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make(tmp_path / "acme", hook='manifest-template = "MANIFEST.MF"')
    (root / "MANIFEST.MF").write_text(TEMPLATE_TEXT, encoding="utf-8")
    same = run(root, emulator, "3.0.2", **{"manifest-template": "MANIFEST.MF"})
    assert version_in(same.manifest) == "3.0.2" and not [n for n in same.outcome.notices if "Version" in n]

    bumped = run(root, emulator, "3.0.3", **{"manifest-template": "MANIFEST.MF"})

    parsed = Manifest.parse(bumped.manifest)
    assert parsed.get("Version") == "3.0.3" and parsed.main.names()[:3] == [
        "Manifest-Version",
        "Author",
        "Version",
    ]
    [notice] = [n for n in bumped.outcome.notices if "Version" in n and "MANIFEST.MF" in n]
    assert "Version: 3.0.2" in notice and "the project version is 3.0.3" in notice
    assert (root / "MANIFEST.MF").read_text(encoding="utf-8") == TEMPLATE_TEXT  # the template is the user's


def test_attributes_version_wins_without_a_notice(tmp_path: Path, emulator: Emulator) -> None:
    root = make(tmp_path / "acme")
    (root / "MANIFEST.MF").write_text(TEMPLATE_TEXT, encoding="utf-8")
    table = {"manifest-template": "MANIFEST.MF", "attributes": {"version": "7.1-beta"}}
    result = run(root, emulator, "3.0.3", **table)
    assert Manifest.parse(result.manifest).get("Version") == "7.1-beta"
    assert not [n for n in result.outcome.notices if "Version" in n]


def test_without_a_project_version_the_template_version_stays(tmp_path: Path, emulator: Emulator) -> None:
    root = make(tmp_path / "acme", adapter_version="1.0.0")
    (root / "MANIFEST.MF").write_text(TEMPLATE_TEXT, encoding="utf-8")
    env = harmony_env(emulator)
    result = generate(load_config({"manifest-template": "MANIFEST.MF"}, root, env), env, project_version=None)
    assert version_in(result.manifest) == "3.0.2"


def test_the_cli_reads_the_version_hatchling_computes(tmp_path: Path) -> None:
    """The value the hook gets: normalised, and dynamic versions computed (here hatchling's own source)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "3.0.02"\n', encoding="utf-8")
    assert project_version(tmp_path) == "3.0.2"
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndynamic = ["version"]\n[tool.hatch.version]\npath = "about.py"\n',
        encoding="utf-8",
    )
    (tmp_path / "about.py").write_text('__version__ = "1.4.0"\n', encoding="utf-8")
    assert project_version(tmp_path) == "1.4.0"
    (tmp_path / "about.py").unlink()  # hatchling cannot compute it: no version, no traceback
    assert project_version(tmp_path) is None


def test_init_new_writes_a_template_without_a_literal_version(tmp_path: Path) -> None:
    files = scaffold(tmp_path / "weather", "Weather", dry_run=True).files
    assert Manifest.parse(files[TEMPLATE]).get("Version") is None


# --------------------------------------------------------------------------- real builds: the jar's name


def hatchling_jar(root: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    return hatchling_build(root, emulator, "-t", "jar")


def shipped_version(jar: Path) -> str | None:
    with zipfile.ZipFile(jar) as archive:
        return version_in(archive.read("META-INF/MANIFEST.MF"))


def set_project_version(root: Path, old: str, new: str) -> None:
    path = root / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(f'version = "{old}"', f'version = "{new}"'))


def test_the_jar_name_and_its_manifest_version_agree_across_a_bump(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make(tmp_path / "acme", hook='manifest-template = "MANIFEST.MF"')
    (root / "MANIFEST.MF").write_text(TEMPLATE_TEXT, encoding="utf-8")
    assert hatchling_jar(root, emulator).returncode == 0
    assert shipped_version(root / "dist" / "acme-versions-3.0.2.jar") == "3.0.2"
    emulator.reset_counts()

    set_project_version(root, "3.0.2", "3.0.3")
    done = hatchling_jar(root, emulator)

    assert done.returncode == 0, done.stderr
    assert shipped_version(root / "dist" / "acme-versions-3.0.3.jar") == "3.0.3"
    assert sum(emulator.counts().values()) == 0
    assert "MANIFEST.MF says Version: 3.0.2, the project version is 3.0.3" in done.stderr
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1


def test_an_attributes_version_names_the_jar_and_one_that_cannot_stops_before_any_request(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make(tmp_path / "acme", hook='attributes = { Version = "4.0-beta" }')
    done = hatchling_jar(root, emulator)
    assert done.returncode == 0, done.stderr
    assert shipped_version(root / "dist" / "acme-versions-4.0_beta.jar") == "4.0-beta"

    other = make(tmp_path / "other", hook='attributes = { Version = "next release" }')
    emulator.reset_counts()
    refused = hatchling_jar(other, emulator)
    assert refused.returncode == 2
    assert "attributes: Version 'next release' names the jar too" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sum(emulator.counts().values()) == 0 and not list(other.glob("dist/*.jar"))
    assert not (other / "harmony.lock").exists()


def test_a_project_without_template_or_attributes_keeps_its_jar_name(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make(tmp_path / "acme")
    assert hatchling_jar(root, emulator).returncode == 0
    assert shipped_version(root / "dist" / PROJECT.jar_name) == "3.0.2"
