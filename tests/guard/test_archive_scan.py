"""No sdist or wheel leaves a build holding the connector secret, whatever hooks run after ours.

The `harmony` hook checks hatchling's file selection in `initialize`, but hooks hatchling runs
later may still add files. Its `finalize` reads the finished archive back: these tests build
real archives (hatchling's builder classes in-process, the code `hatchling build` runs) of a
project whose own hook (`hatch_build.py`) force-includes the generated manifest, in the two
shapes a project may declare it, and want the archive gone and one message naming the entry
and the hook.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.sdist import SdistBuilder
from hatchling.builders.wheel import WheelBuilder

from hatch_harmony.emulator import Emulator
from hatch_harmony.guard import archive_scan
from tests.artifacts import archive_members, emulator_secrets
from tests.plugins.emulator import harmony_env
from tests.projects import Project

PROJECT = Project("Acme Late Hook", "acme-late-hook", activities=("fetch",))
BUILDERS = {"sdist": SdistBuilder, "wheel": WheelBuilder}

#: A custom hook (hatch_build.py) putting {source} into the archive as {target}.
LATE_HOOK = """\
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class LateHook(BuildHookInterface):
    def initialize(self, version, build_data):
        build_data["force_include"][{source!r}] = {target!r}
"""
#: [tool.hatch.build.hooks.custom] after harmony: a global hook, for the sdist and the wheel.
GLOBAL_HOOK = "\n[tool.hatch.build.hooks.custom]\n"
#: [tool.hatch.build.targets.wheel.hooks.custom]: the wheel's own hook.
WHEEL_HOOK = "\n[tool.hatch.build.targets.wheel.hooks.custom]\n"


@pytest.fixture
def build_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(("HARMONY_", "HATCH_BUILD_"))]:
        monkeypatch.delenv(name)
    for name, value in harmony_env(emulator).items():
        monkeypatch.setenv(name, value)


def make(root: Path, hook_table: str, source: str, target: str) -> Path:
    PROJECT.make(root, package=True)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(hook_table)
    (root / "hatch_build.py").write_text(LATE_HOOK.format(source=source, target=target), encoding="utf-8")
    return root


def build(root: Path, target: str) -> list[str]:
    return list(BUILDERS[target](str(root)).build(directory=str(root / "dist"), versions=["standard"]))


def refused(root: Path, target: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        build(root, target)
    err = capsys.readouterr().err
    assert stopped.value.code == 2, err
    assert list((root / "dist").iterdir()) == [], "the archive holding the secret was left behind"
    return err


@pytest.mark.usefixtures("build_env")
@pytest.mark.parametrize("target", ["sdist", "wheel"])
def test_a_global_hook_after_harmony_cannot_ship_the_manifest(
    target: str, tmp_path: Path, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = "build/harmony/MANIFEST.MF"
    root = make(tmp_path / "acme", GLOBAL_HOOK, manifest, manifest)
    err = refused(root, target, capsys)
    entry = f"acme_late_hook-0.1.0/{manifest}" if target == "sdist" else manifest
    assert f"held {entry}, the generated manifest" in err
    assert "A build hook (`custom`) put build/harmony/MANIFEST.MF" in err
    assert "build_data['force_include']" in err and "Traceback" not in err
    for secret in emulator_secrets(emulator):
        assert secret not in err.encode()


@pytest.mark.usefixtures("build_env")
def test_a_wheel_hook_force_including_build_cannot_ship_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make(tmp_path / "acme", WHEEL_HOOK, "build", "acme_late_hook/build")
    err = refused(root, "wheel", capsys)
    assert "held acme_late_hook/build/harmony/MANIFEST.MF" in err and "`custom`" in err
    [sdist] = build(root, "sdist")  # the hook is the wheel's alone: the sdist is clean
    assert not any(name.endswith("MANIFEST.MF") for name, _ in archive_members(Path(sdist)))


@pytest.mark.usefixtures("build_env")
def test_a_copy_under_another_name_is_found_by_its_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make(tmp_path / "acme", GLOBAL_HOOK, "build/harmony/MANIFEST.MF", "acme_late_hook/readme.txt")
    err = refused(root, "wheel", capsys)
    assert "held acme_late_hook/readme.txt, a file holding the connector key or secret" in err


@pytest.mark.usefixtures("build_env")
def test_the_warm_path_checks_the_archive_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first build leaves a warm stamp; the second reuses the manifest and still scans."""
    root = make(tmp_path / "acme", GLOBAL_HOOK, "adapter.json", "acme_late_hook/adapter.json")
    build(root, "wheel")  # registers, writes the manifest and a stamp; nothing secret is added
    (root / "hatch_build.py").write_text(
        LATE_HOOK.format(source="build/harmony/MANIFEST.MF", target="acme_late_hook/m.txt"), encoding="utf-8"
    )
    for path in (root / "dist").iterdir():
        path.unlink()
    err = refused(root, "wheel", capsys)
    assert "nothing it depends on changed" in err  # the warm path ran
    assert "held acme_late_hook/m.txt" in err


@pytest.mark.usefixtures("build_env")
def test_archives_without_the_secret_are_kept(tmp_path: Path) -> None:
    """A hook adding ordinary files, and a committed template with placeholders, ship as before."""
    root = make(tmp_path / "acme", GLOBAL_HOOK, "adapter.json", "acme_late_hook/adapter.json")
    (root / "MANIFEST.MF.in").write_text(
        "Manifest-Version: 1.0\nJitterbit-Connector-Key: ****\nJitterbit-Connector-Secret: ****\n"
    )
    [sdist] = build(root, "sdist")
    [wheel] = build(root, "wheel")
    assert "acme_late_hook-0.1.0/MANIFEST.MF.in" in dict(archive_members(Path(sdist)))
    assert "acme_late_hook/adapter.json" in dict(archive_members(Path(wheel)))


def test_needles_are_the_key_and_secret_folded_and_unfolded() -> None:
    secret = "s" * 60 + "TAIL-OF-SECRET"
    manifest = (
        "Manifest-Version: 1.0\r\nJitterbit-Connector-Key: key-0123456789\r\n"
        f"Jitterbit-Connector-Secret: {secret[:44]}\r\n {secret[44:]}\r\n\r\n"
    ).encode()
    found = archive_scan.needles(manifest)
    assert b"key-0123456789" in found and secret.encode() in found
    assert secret[44:].encode() in found  # the folded piece, as a copy of the manifest holds it
    assert archive_scan.needles(b"Jitterbit-Connector-Secret: ****\r\n") == ()


def test_a_secret_across_two_read_chunks_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_scan, "CHUNK", 64)
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/data.bin", b"x" * 60 + b"SECRET-VALUE-123" + b"y" * 100)
    manifest = b"Jitterbit-Connector-Secret: SECRET-VALUE-123\r\n"
    leak = archive_scan.scan(wheel, manifest)
    assert leak is not None and leak.entry == "pkg/data.bin" and leak.kind == archive_scan.HOLDS
    assert "SECRET" not in repr(leak)


@pytest.mark.usefixtures("build_env")
def test_a_symlink_to_the_manifest_under_another_name_never_ships(
    tmp_path: Path, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """`acme_late_hook/notes.txt` -> the manifest: selected by its own name, it is the manifest by content.

    The wheel stores what the link points to and is refused; the sdist stores the link itself
    (a dangling link once unpacked, no secret) and ships.
    """
    root = make(tmp_path / "acme", "", "adapter.json", "acme_late_hook/adapter.json")
    (root / "acme_late_hook" / "notes.txt").symlink_to(Path("../build/harmony/MANIFEST.MF"))
    err = refused(root, "wheel", capsys)
    assert "held acme_late_hook/notes.txt, a file holding the connector key or secret" in err
    [sdist] = build(root, "sdist")
    with tarfile.open(sdist) as tar:
        assert tar.getmember("acme_late_hook-0.1.0/acme_late_hook/notes.txt").issym()
        blobs = [tar.extractfile(m).read() for m in tar if m.isfile()]  # type: ignore[union-attr]
    assert not any(secret in blob for blob in blobs for secret in emulator_secrets(emulator))


@pytest.mark.usefixtures("build_env")
def test_another_environments_manifest_never_ships(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its secret is not this build's: a `*.MF` entry holding a real secret is refused all the same."""
    root = make(tmp_path / "acme", GLOBAL_HOOK, "build", "acme_late_hook/build")
    prod = root / "build" / "harmony" / "prod" / "MANIFEST.MF"
    prod.parent.mkdir(parents=True)
    prod.write_bytes(b"Manifest-Version: 1.0\r\nJitterbit-Connector-Secret: prod-secret-canary-79\r\n\r\n")
    (root / "hatch_build.py").write_text(
        LATE_HOOK.format(source="build/harmony/prod", target="acme_late_hook/prod"), encoding="utf-8"
    )
    err = refused(root, "wheel", capsys)
    assert "held acme_late_hook/prod/MANIFEST.MF, a manifest holding a real connector secret" in err
    assert "prod-secret-canary-79" not in err


@pytest.mark.usefixtures("build_env")
def test_a_template_holding_the_real_secret_never_ships_and_the_fix_is_placeholders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jitterbit's sample commits its manifest with the real key and secret: the sdist must not carry it."""
    root = PROJECT.make(tmp_path / "acme", package=True)
    build(root, "wheel")  # registers; the manifest holds this registration's key, secret and ids
    template = root / "src" / "META-INF" / "MANIFEST.MF"
    template.parent.mkdir(parents=True)
    template.write_bytes((root / "build" / "harmony" / "MANIFEST.MF").read_bytes())
    (root / "pyproject.toml").write_text(PROJECT.pyproject('manifest-template = "src/META-INF/MANIFEST.MF"'))
    for path in (root / "dist").iterdir():
        path.unlink()
    err = refused(root, "sdist", capsys)
    assert "held acme_late_hook-0.1.0/src/META-INF/MANIFEST.MF, the manifest template" in err
    assert "Put placeholders (****)" in err and "hatch-harmony init" in err


def test_a_manifest_entry_with_placeholders_is_no_leak(tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(
            "pkg/META-INF/MANIFEST.MF",
            b"Jitterbit-Connector-Key: ****\r\nJitterbit-Connector-Secret: ****\r\n",
        )
    assert archive_scan.scan(wheel, b"Jitterbit-Connector-Secret: SECRET-VALUE-123\r\n") is None


def test_the_leak_message_is_built_from_plain_inputs() -> None:
    """One wording for both frontends: the template gets its own fix; another manifest hides its path
    from the frontend's cause (its file selection cannot tell what put that entry there)."""
    asked: list[str | None] = []

    def cause(path: str | None) -> str:
        asked.append(path)
        return "CAUSE."

    generated = archive_scan.Leak("pkg-1.0/build/harmony/MANIFEST.MF", archive_scan.GENERATED)
    text = archive_scan.leak_message(
        generated,
        artifact="dist/pkg-1.0.tar.gz",
        manifest_path="build/harmony/MANIFEST.MF",
        template="MANIFEST.MF",
        cause=cause,
        setting="tool.hatch-harmony.manifest",
    )
    assert text == (
        "dist/pkg-1.0.tar.gz held pkg-1.0/build/harmony/MANIFEST.MF, the generated manifest "
        "(tool.hatch-harmony.manifest): no sdist or wheel may hold the connector secret, so the archive "
        "was removed. CAUSE."
    )
    other = archive_scan.Leak("conf/prod/MANIFEST.MF", archive_scan.MANIFEST)
    text = archive_scan.leak_message(
        other, artifact="w.whl", manifest_path="build/harmony/MANIFEST.MF", template=None, cause=cause
    )
    assert text.startswith("w.whl held conf/prod/MANIFEST.MF, a manifest holding a real connector secret")
    assert asked == ["build/harmony/MANIFEST.MF", None]
    template = archive_scan.Leak("pkg-1.0/MANIFEST.MF", archive_scan.MANIFEST)
    text = archive_scan.leak_message(
        template, artifact="s.tar.gz", manifest_path=None, template="MANIFEST.MF", cause=cause
    )
    assert text == "s.tar.gz held pkg-1.0/MANIFEST.MF, " + archive_scan.template_fix("MANIFEST.MF")
    assert len(asked) == 2  # the template's fix needs no cause
