"""Warm builds (hatch_harmony/engine/warm.py) hand over exactly what a full run would leave, or step aside.

Two promises: a warm build leaves the manifest 0600 like a full run
(a `chmod 644` is not papered over), and the yes/no variables mean the same thing to the
warm path as to the engine — `HARMONY_NO_WARM_STAMP=0` keeps the stamp, `=1` turns it off,
and a value that is neither makes the warm path step aside so that the engine reports it.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hatch_harmony.config import load_config
from hatch_harmony.emulator import Emulator
from hatch_harmony.engine import warm
from hatch_harmony.errors import ConfigError
from tests.projects import Project, build_env, hatchling_build

WARM = "nothing it depends on changed since the last build"
PROJECT = Project("Acme Warm", "acme-warm")
MANIFEST = "build/harmony/MANIFEST.MF"
POSIX = sys.platform != "win32"

#: Every yes/no variable, and what it controls.
FLAGS = ("HARMONY_OFFLINE", "HARMONY_VERIFY", "HARMONY_NO_WARM_STAMP")
YES = ("1", "true", "TRUE", "Yes", "on", " 1 ")
NO = ("0", "false", "No", "OFF", " 0 ")
NEITHER = ("2", "maybe", "enabled", "y", "-1", "tru")


def make_project(root: Path) -> Path:
    return PROJECT.make(root)


def build(root: Path, emulator: Emulator, **extra: str) -> subprocess.CompletedProcess[str]:
    env = build_env(emulator, **extra)
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def requests(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_a_warm_build_leaves_the_manifest_0600_after_a_chmod(tmp_path: Path, emulator: Emulator) -> None:
    root = make_project(tmp_path / "acme")
    build(root, emulator)
    manifest = root / MANIFEST
    data = manifest.read_bytes()
    assert mode(manifest) == 0o600
    assert WARM in build(root, emulator).stderr

    manifest.chmod(0o644)  # the secret is readable by everyone: no build may leave it so
    emulator.reset_counts()
    repaired = build(root, emulator)
    assert mode(manifest) == 0o600, repaired.stderr
    assert manifest.read_bytes() == data
    assert requests(emulator) == 0
    assert WARM in build(root, emulator).stderr  # and the next build is warm again


def test_harmony_no_warm_stamp_0_keeps_the_stamp_and_1_turns_it_off(
    tmp_path: Path, emulator: Emulator
) -> None:
    root = make_project(tmp_path / "acme")
    build(root, emulator)
    emulator.reset_counts()
    assert WARM in build(root, emulator, HARMONY_NO_WARM_STAMP="0").stderr
    assert WARM not in build(root, emulator, HARMONY_NO_WARM_STAMP="1").stderr
    assert requests(emulator) == 0


def run_key(**env: str) -> str | None:
    return warm.key({}, target="jar", project_version="0.1.0", env=env)


@pytest.mark.parametrize("value", YES)
def test_a_yes_turns_the_stamp_off(value: str) -> None:
    assert run_key(HARMONY_NO_WARM_STAMP=value) is None


@pytest.mark.parametrize("value", [*NO, "", "  "])
def test_a_no_or_empty_value_keeps_the_stamp(value: str) -> None:
    assert run_key(HARMONY_NO_WARM_STAMP=value) == run_key()


@pytest.mark.parametrize("name", FLAGS)
@pytest.mark.parametrize("value", NEITHER)
def test_a_value_that_is_neither_makes_the_warm_path_step_aside(name: str, value: str) -> None:
    """The engine then runs and reports it (the catalogue in tests/promises/test_bad_inputs.py)."""
    assert run_key(**{name: value}) is None


def test_the_stamp_is_keyed_on_what_a_value_means_not_how_it_is_spelled() -> None:
    assert run_key(HARMONY_OFFLINE="1") == run_key(HARMONY_OFFLINE=" Yes ") != run_key()
    assert run_key(HARMONY_VERIFY="0") == run_key(HARMONY_VERIFY="off") != run_key()


def test_harmony_verify_yes_never_uses_a_stamp() -> None:
    assert run_key(HARMONY_VERIFY="true") is None


def engine_reads(root: Path, name: str, value: str) -> bool | None:
    """What the engine makes of `name=value`: True or False, None if it refuses the value."""
    try:
        config = load_config({"verify": False}, root, {name: value})
    except ConfigError as exc:
        assert exc.message.startswith(f"{name}: {value.strip()!r} is not a yes/no value"), exc.message
        assert "1, true, yes, on" in exc.message and "0, false, no, off" in exc.message
        return None
    if name == "HARMONY_OFFLINE":
        return config.offline
    if name == "HARMONY_VERIFY":
        return config.verify
    return run_key(**{name: value}) is None  # read by the warm path only; the engine just checks it


@pytest.mark.parametrize("name", FLAGS)
def test_every_yes_no_variable_reads_every_value_the_same_way(name: str, tmp_path: Path) -> None:
    assert [engine_reads(tmp_path, name, v) for v in YES] == [True] * len(YES)
    assert [engine_reads(tmp_path, name, v) for v in NO] == [False] * len(NO)
    assert [engine_reads(tmp_path, name, v) for v in NEITHER] == [None] * len(NEITHER)


def record_stamp(root: Path, env: dict[str, str]) -> tuple[str, bytes]:
    """A project folder `root` with a manifest and adapter.json, stamped as a full run leaves it.

    Returns the run key and the manifest's bytes, for the lookup that follows."""
    root.mkdir()
    manifest, adapter = root / "MANIFEST.MF", root / "adapter.json"
    manifest.write_bytes(b"Manifest-Version: 1.0\r\n")
    adapter.write_text("{}", encoding="utf-8")
    key = run_key()
    assert key is not None
    files = [manifest, adapter]
    warm.record(root, key, env, target="jar", files=files, manifest=manifest, adapter=adapter, table_path="t")
    return key, manifest.read_bytes()


@pytest.mark.skipif(not POSIX, reason="file modes and XDG_CACHE_HOME are POSIX")
def test_the_stamp_is_written_0600_and_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    key, manifest = record_stamp(tmp_path / "acme", env)
    [written] = (tmp_path / "cache" / "hatch-harmony" / "warm").iterdir()
    assert mode(written) == 0o600
    hit = warm.lookup(tmp_path / "acme", key, env, "jar")
    assert hit is not None and hit.manifest == manifest

    (tmp_path / "not-a-folder").write_bytes(b"")
    blocked = {"XDG_CACHE_HOME": str(tmp_path / "not-a-folder")}
    key, _ = record_stamp(tmp_path / "blocked", blocked)  # silently not cached
    assert warm.lookup(tmp_path / "blocked", key, blocked, "jar") is None


@pytest.mark.skipif(not POSIX, reason="a line break in a file name is POSIX only")
def test_a_path_with_a_line_break_is_never_stamped(tmp_path: Path) -> None:
    """The stamp is one line per field; a path it cannot hold means no stamp, so the engine runs."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    key, _ = record_stamp(tmp_path / "line\nbreak", env)
    assert warm.lookup(tmp_path / "line\nbreak", key, env, "jar") is None
    assert not (tmp_path / "cache").exists()


def test_the_key_is_one_text_whatever_the_order_of_the_settings() -> None:
    settings = {"b": [1, {"y": True, "x": None}], "a": "text\twith\ttabs"}
    reordered = {"a": "text\twith\ttabs", "b": [1, {"x": None, "y": True}]}
    assert warm.canonical(settings) == warm.canonical(reordered)
    assert "\n" not in warm.canonical({"a": "two\nlines"})
    assert warm.canonical({"a": "1"}) != warm.canonical({"a": 1})


# --- sdist and wheel: a warm hit still runs the packaging check, whatever changed the selection ---------

WHEEL = "\n[tool.hatch.build.targets.wheel]\nbypass-selection = true\n"


def build_wheel(root: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    return hatchling_build(root, emulator, "-t", "wheel", timeout=120)


def warm_wheel_project(
    root: Path, emulator: Emulator, *, hook: str = "", wheel: str = WHEEL, hooks_before: str = ""
) -> Path:
    """A project whose wheel holds no manifest, built twice: the second build is a warm hit.

    `hooks_before`: TOML tables of build hooks that run before the harmony hook (hatchling runs
    the hooks of [tool.hatch.build.hooks] in the order of their tables)."""
    PROJECT.make(root, hook=hook)
    pyproject = root / "pyproject.toml"
    table = "[tool.hatch.build.hooks.harmony]"
    text = pyproject.read_text(encoding="utf-8").replace(table, hooks_before + table)
    pyproject.write_text(text + wheel, encoding="utf-8")
    first = build_wheel(root, emulator)
    assert first.returncode == 0, first.stderr
    second = build_wheel(root, emulator)
    assert second.returncode == 0 and WARM in second.stderr, second.stderr
    return root


def test_a_wheel_selection_changed_in_hatch_toml_is_not_served_from_the_stamp(
    tmp_path: Path, emulator: Emulator
) -> None:
    """hatch.toml is no input of the engine (the same hook table there), but it can put the manifest
    into the wheel."""
    root = warm_wheel_project(tmp_path / "acme", emulator)
    (root / "hatch.toml").write_text(
        "[build.hooks.harmony]\n"
        '[build.targets.jar]\nclasses = "build/classes"\n'
        "[build.targets.wheel]\nbypass-selection = true\n"
        f'[build.targets.wheel.force-include]\n"{MANIFEST}" = "MANIFEST.MF"\n',
        encoding="utf-8",
    )
    emulator.reset_counts()
    refused = build_wheel(root, emulator)
    assert refused.returncode != 0 and WARM not in refused.stderr
    assert f"{MANIFEST} would be packaged into the wheel as MANIFEST.MF" in refused.stderr
    assert "`force-include` puts it there" in refused.stderr
    assert requests(emulator) == 0


def test_a_package_created_around_the_manifest_is_not_served_from_the_stamp(
    tmp_path: Path, emulator: Emulator
) -> None:
    """hatchling's wheel guesses the package from the folders: a new `__init__.py` changes the selection."""
    package = PROJECT.dist.replace("-", "_")
    root = warm_wheel_project(
        tmp_path / "acme",
        emulator,
        hook=f'manifest = "{package}/MANIFEST.MF"',
        wheel=WHEEL + "ignore-vcs = true\n",
    )
    (root / package / "__init__.py").write_text("", encoding="utf-8")
    refused = build_wheel(root, emulator)
    assert refused.returncode != 0 and WARM not in refused.stderr
    assert f"{package}/MANIFEST.MF would be packaged into the wheel" in refused.stderr


def test_an_earlier_hook_that_force_includes_the_manifest_is_not_served_from_the_stamp(
    tmp_path: Path, emulator: Emulator
) -> None:
    """build_data from hooks that run before this one is part of the wheel's selection."""
    hook = (
        "from hatchling.builders.hooks.plugin.interface import BuildHookInterface\n\n"
        "class Hook(BuildHookInterface):\n"
        "    def initialize(self, version, build_data):\n"
        "        if __import__('os').path.exists(self.root + '/ship'):\n"
        f"            build_data['force_include'][self.root + '/{MANIFEST}'] = 'MANIFEST.MF'\n"
    )
    root = tmp_path / "acme"
    root.mkdir()
    (root / "hatch_build.py").write_text(hook, encoding="utf-8")
    warm_wheel_project(root, emulator, hooks_before="[tool.hatch.build.hooks.custom]\n\n")
    (root / "ship").write_text("", encoding="utf-8")
    refused = build_wheel(root, emulator)
    assert refused.returncode != 0 and WARM not in refused.stderr
    assert "`force-include` puts it there" in refused.stderr
