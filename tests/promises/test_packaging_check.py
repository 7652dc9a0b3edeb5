"""The hook refuses an sdist or wheel exactly when hatchling would really ship the manifest.

Each row of the table is a project whose file selection differs (bypass-selection, packages,
only-include, include/exclude, artifacts, force-include, shared-data, `.gitignore` present
or absent). For each target the test asks two questions and wants the same answer from both:

* the hook's: a real hatchling build with the `harmony` hook, before any manifest exists
  (a first build). With HARMONY_OFFLINE set and no lock, a hook that lets the build through
  stops right after its check, in the engine, asking for the network;
* hatchling's: the same build with every hook off and a manifest planted where the hook
  writes it; does the archive hold it?

Builds run in-process through hatchling's builder classes (the same code `hatchling build`
runs), which keeps 40-odd builds to a few seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from tests.artifacts import archive_members

PLANTED = b"Manifest-Version: 1.0\r\nX-Planted: packaging-check-probe\r\n\r\n"
REFUSED, PASSED, NO_FILES = "refused", "passed", "no files to ship"
BUILDERS = {"sdist": SdistBuilder, "wheel": WheelBuilder}


@dataclass(frozen=True)
class Case:
    """A project: extra pyproject text, a .gitignore or not, a Python package or not; expected per target."""

    id: str
    toml: str
    sdist: str
    wheel: str
    gitignore: bool = False
    package: bool = False
    manifest: str = "build/harmony/MANIFEST.MF"


BYPASS = "[tool.hatch.build.targets.wheel]\nbypass-selection = true\n"
CASES = [
    Case("gitignore+package", "", PASSED, PASSED, gitignore=True, package=True),
    Case("package, no gitignore", "", REFUSED, PASSED, package=True),
    # the case: a wheel that ships nothing of the project, and no .gitignore
    Case("bypass-selection, no gitignore", BYPASS, REFUSED, PASSED),
    Case("bypass-selection+gitignore (the README's)", BYPASS, PASSED, PASSED, gitignore=True),
    Case("no package, no bypass-selection", "", PASSED, NO_FILES, gitignore=True),
    Case(
        "wheel packages=[build]",
        '[tool.hatch.build.targets.wheel]\npackages = ["build"]\n',
        REFUSED,
        REFUSED,
    ),
    Case(
        "wheel packages=[build]+gitignore",
        '[tool.hatch.build.targets.wheel]\npackages = ["build"]\n',
        PASSED,
        PASSED,
        gitignore=True,
    ),
    Case(
        "wheel packages=[build], only-packages",
        '[tool.hatch.build.targets.wheel]\npackages = ["build"]\nonly-packages = true\n',
        REFUSED,
        PASSED,
    ),
    Case(
        "only-include=[build/harmony]",
        '[tool.hatch.build]\nonly-include = ["build/harmony"]\n',
        REFUSED,
        REFUSED,
    ),
    Case(
        "only-include=[build/harmony]+gitignore",
        '[tool.hatch.build]\nonly-include = ["build/harmony"]\n',
        PASSED,
        PASSED,
        gitignore=True,
    ),
    Case(
        "only-include=[adapter.json]",
        '[tool.hatch.build]\nonly-include = ["adapter.json"]\n',
        PASSED,
        PASSED,
    ),
    Case(
        "include=[adapter.json]",
        '[tool.hatch.build]\ninclude = ["adapter.json"]\n',
        PASSED,
        PASSED,
    ),
    Case(
        "sdist exclude=[build/harmony/]",
        '[tool.hatch.build.targets.sdist]\nexclude = ["build/harmony/"]\n',
        PASSED,
        PASSED,
        package=True,
    ),
    Case(
        "global exclude=[/build], bypass-selection",
        f'[tool.hatch.build]\nexclude = ["/build"]\n{BYPASS}',
        PASSED,
        PASSED,
    ),
    Case(
        "force-include+gitignore, bypass-selection",
        f'[tool.hatch.build.force-include]\n"build/harmony" = "secrets"\n{BYPASS}',
        REFUSED,
        REFUSED,
        gitignore=True,
    ),
    Case(
        "artifacts+gitignore+package",
        '[tool.hatch.build]\nartifacts = ["build/harmony/MANIFEST.MF"]\n',
        REFUSED,
        PASSED,
        gitignore=True,
        package=True,
    ),
    Case(
        "artifacts+gitignore, bypass-selection",
        f'[tool.hatch.build]\nartifacts = ["build/harmony/MANIFEST.MF"]\n{BYPASS}',
        REFUSED,
        REFUSED,
        gitignore=True,
    ),
    Case(
        "sdist ignore-vcs+gitignore",
        "[tool.hatch.build.targets.sdist]\nignore-vcs = true\n",
        REFUSED,
        PASSED,
        gitignore=True,
        package=True,
    ),
    Case(
        "wheel shared-data, no gitignore",
        '[tool.hatch.build.targets.wheel.shared-data]\n"build/harmony" = "share/acme"\n',
        REFUSED,
        REFUSED,
        package=True,
    ),
    Case(
        "manifest outside the ignored folder",
        "",
        REFUSED,
        PASSED,
        gitignore=True,
        package=True,
        manifest="secret/MANIFEST.MF",
    ),
]


def make_project(root: Path, case: Case) -> Path:
    hook = f'manifest = "{case.manifest}"\n' if case.manifest != Case.manifest else ""
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "acme-hook"\nversion = "0.3.0"\n\n'
        f"[tool.hatch.build.hooks.harmony]\n{hook}\n{case.toml}",
        encoding="utf-8",
    )
    (root / "adapter.json").write_text(
        json.dumps({"name": "Acme Hook", "activities": {"fetch": {}}}), encoding="utf-8"
    )
    if case.gitignore:
        (root / ".gitignore").write_text("build/\ndist/\n.harmony.lock.*\n", encoding="utf-8")
    if case.package:
        (root / "acme_hook").mkdir()
        (root / "acme_hook" / "__init__.py").write_text('"""Acme."""\n', encoding="utf-8")
    return root


def hook_decision(
    root: Path, target: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """What the hook says on a first build: refuse, no files to ship, or let it through (to the engine)."""
    monkeypatch.delenv("HATCH_BUILD_NO_HOOKS", raising=False)
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        list(BUILDERS[target](str(root)).build(directory=str(root / "dist"), versions=["standard"]))
    output = capsys.readouterr()
    text = output.out + output.err
    assert stopped.value.code in (2, 3), text
    if f"would be packaged into the {target}" in text:
        return REFUSED
    if "finds no Python package to put in the wheel" in text:
        assert "bypass-selection = true" in text and "hatch build -t jar" in text
        return NO_FILES
    assert "HARMONY_OFFLINE" in text, text  # past the check: the engine wanted the network
    return PASSED


def archive_decision(root: Path, case: Case, target: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """What hatchling ships, hooks off, with the manifest planted where the hook writes it."""
    monkeypatch.setenv("HATCH_BUILD_NO_HOOKS", "true")
    planted = root / case.manifest
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(PLANTED)
    try:
        [artifact] = BUILDERS[target](str(root)).build(directory=str(root / "dist"), versions=["standard"])
    except ValueError as exc:
        assert "Unable to determine which files to ship" in str(exc)
        return NO_FILES
    finally:
        planted.unlink()
    holds = any(blob == PLANTED for _, blob in archive_members(Path(artifact)))
    return REFUSED if holds else PASSED


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Harmony variable but HARMONY_OFFLINE: a hook that passes its check stops in the engine."""
    import os

    for name in [n for n in os.environ if n.startswith(("HARMONY_", "HATCH_BUILD_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HARMONY_OFFLINE", "1")
    monkeypatch.setenv("HARMONY_NO_WARM_STAMP", "1")


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hook_refuses_exactly_when_the_archive_would_hold_the_manifest(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "acme", case)
    for target, expected in (("sdist", case.sdist), ("wheel", case.wheel)):
        hook = hook_decision(root, target, capsys, monkeypatch)
        archive = archive_decision(root, case, target, monkeypatch)
        assert (target, hook) == (target, archive), f"the hook and hatchling disagree on the {target}"
        assert (target, hook) == (target, expected)
    assert not (root / "harmony.lock").exists()


@pytest.mark.usefixtures("offline")
def test_a_malformed_selection_option_is_one_message_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = Case("bad exclude", '[tool.hatch.build.targets.sdist]\nexclude = "build/"\n', "", "")
    root = make_project(tmp_path / "acme", case)
    with pytest.raises(SystemExit) as stopped:
        list(SdistBuilder(str(root)).build(directory=str(root / "dist"), versions=["standard"]))
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert "hatch-harmony: pyproject.toml: hatchling cannot select the files of the sdist" in err
    assert "tool.hatch.build.targets.sdist.exclude" in err and "Traceback" not in err


@pytest.mark.usefixtures("offline")
@pytest.mark.parametrize(
    ("toml", "ships"),
    [("", False), ('[tool.hatch.build.force-include]\n"build/harmony" = "secrets"\n', True)],
    ids=["package, no gitignore", "force-include"],
)
def test_editable_wheel_is_refused_only_when_it_ships_the_manifest(
    toml: str,
    ships: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An editable wheel ships no project file (a .pth does the work), only forced files."""
    case = Case("editable", toml, "", "", package=True)
    root = make_project(tmp_path / "acme", case)
    build = WheelBuilder(str(root)).build
    if ships:
        with pytest.raises(SystemExit):
            list(build(directory=str(root / "dist"), versions=["editable"]))
        assert "would be packaged into the wheel as secrets/MANIFEST.MF" in capsys.readouterr().err
    else:  # past the check; an editable install never asks Harmony, so the build goes on
        [wheel] = build(directory=str(root / "dist"), versions=["editable"])
        Path(wheel).unlink()
    monkeypatch.setenv("HATCH_BUILD_NO_HOOKS", "true")
    (root / "build" / "harmony").mkdir(parents=True, exist_ok=True)
    (root / case.manifest).write_bytes(PLANTED)
    [wheel] = WheelBuilder(str(root)).build(directory=str(root / "dist"), versions=["editable"])
    assert any(blob == PLANTED for _, blob in archive_members(Path(wheel))) is ships


def test_the_hooks_after_harmony_are_the_ones_a_leak_names() -> None:
    from hatch_harmony.guard.packaging import hooks_after

    order = {"build_hooks": ("custom", "harmony", "late", "later")}
    assert hooks_after(order, "harmony") == ["late", "later"]
    assert hooks_after({"build_hooks": ("custom",)}, "harmony") == ["custom"]
    assert hooks_after({}, "harmony") == []
