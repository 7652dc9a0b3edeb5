"""Every route setuptools has into a wheel or an sdist is closed to the generated manifest.

setup()'s `data_files`, `scripts`, `package_data`, and `include_package_data` with MANIFEST.in
each put a file into the archive by another road. Each case is a real `python -m build
--no-isolation` of a temporary project against the emulator (as tests/test_setuptools.py
does): the build must fail with one message naming the option, and leave no archive that
holds the manifest or the key or secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from hatch_harmony.emulator import Emulator
from tests.artifacts import archive_members, emulator_secrets
from tests.test_setuptools import TABLE, build_env, make_project, python_m_build

SETUP = "from setuptools import setup\n\nsetup({args})\n"
INSIDE = '[tool.hatch-harmony]\nmanifest = "acme_tools/harmony/MANIFEST.MF"\n'


@dataclass(frozen=True)
class Route:
    id: str
    setup: str  # setup()'s keyword arguments
    table: str = TABLE
    manifest_in: str = ""
    says: str = ""  # in the refusal: the option to take it out of
    link: str = ""  # a symlink to the manifest, made before the build


ROUTES = [
    Route(
        "data_files",
        'data_files=[("share/acme", ["build/harmony/MANIFEST.MF"])]',
        says="out of `data_files`",
    ),
    Route(
        "data_files, a link to the manifest",
        'data_files=[("share/acme", ["notes.txt"])]',
        link="notes.txt",
        says="notes.txt, a file holding the connector key or secret of build/harmony/MANIFEST.MF",
    ),
    Route("scripts", 'scripts=["build/harmony/MANIFEST.MF"]', says="out of setup()'s `scripts`"),
    Route(
        "package_data",
        'package_data={"acme_tools": ["harmony/*.MF"]}',
        table=INSIDE,
        says="acme_tools/harmony/MANIFEST.MF would be packaged",
    ),
    Route(
        "include_package_data+MANIFEST.in",
        "include_package_data=True",
        table=INSIDE,
        manifest_in="recursive-include acme_tools *.MF\n",
        says="acme_tools/harmony/MANIFEST.MF would be packaged",
    ),
]


@pytest.mark.parametrize("target", ["--wheel", "--sdist"])
@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_no_route_ships_the_manifest(route: Route, target: str, tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path / "acme", extra=route.table)
    (project / "setup.py").write_text(SETUP.format(args=route.setup), encoding="utf-8")
    if route.link:
        (project / route.link).symlink_to(Path("build/harmony/MANIFEST.MF"))
    if route.manifest_in:
        (project / "MANIFEST.in").write_text(route.manifest_in, encoding="utf-8")
    done = python_m_build(project, build_env(emulator), target)
    output = done.stdout + done.stderr
    archives = list((project / "dist").iterdir()) if (project / "dist").exists() else []
    for archive in archives:
        for name, blob in archive_members(archive):
            assert not name.endswith("MANIFEST.MF"), f"{archive.name} holds {name}"
            assert not any(secret in blob for secret in emulator_secrets(emulator)), f"{archive.name}: {name}"
    assert done.returncode != 0, output
    assert "hatch-harmony: " in output and "the connector secret" in output, output
    assert route.says in output, output
    assert "Traceback" not in output
