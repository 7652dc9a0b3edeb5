"""Crash a real `hatchling build -t jar` at every step of the registration flow, then build again.

Each row kills the build process (`os._exit`, no cleanup runs, as with a power cut or
`kill -9`) at one step: before login, after login, after the register reply, after a
register the server committed but whose reply was lost, half-way through writing the lock,
after the lock write, half-way through writing the manifest, half-way through writing the
jar. A "torn" write leaves the temporary file half written, as a crash between write and
rename would. Afterwards:

* the build died exactly there (its exit status is the driver's crash code),
* every file is absent or a complete, parseable version (lock, manifest, jar),
* the next build succeeds with the fewest requests its situation allows (DESIGN.md), and
* the emulator holds exactly one registration.

The driver wraps public names of the package inside the build process: the client's calls,
`registration.write_lock`, and `files.before_replace`, the seam every atomic write passes
between its fsynced temp file and the rename. hatchling runs the hook and the jar target in
that same process (`python -m hatchling build`, no isolation).
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hatch_harmony import jar_manifest as jm
from hatch_harmony import vocabulary
from hatch_harmony.emulator import DEFAULT_ORG_ID, Emulator
from hatch_harmony.project import connector_manifest as cm
from hatch_harmony.project.lock import read_lock
from tests import projects
from tests.plugins.java import JavaManifestReader
from tests.projects import Project, build_env

CRASH = 86
DRIVER = r'''
import os, sys

fault = sys.argv[1]


def crash():
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(86)


from hatch_harmony.api import client


from hatch_harmony.util import files


from hatch_harmony.engine import execute as registration


def before(owner, name):
    setattr(owner, name, lambda *args, **kwargs: crash())


def after(owner, name):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        original(*args, **kwargs)
        crash()

    setattr(owner, name, wrapper)


def before_call(owner, name, number):
    """Crash when `name` is called for the `number`th time; the earlier calls run."""
    original = getattr(owner, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            crash()
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def torn(name):
    """The atomic write of the file called `name` gets half its bytes onto the disk, then the process
    dies before the rename (files.before_replace is the seam between the two)."""
    original = files.before_replace

    def die_half_written(target, fd):
        if target.name == name:
            os.ftruncate(fd, os.fstat(fd).st_size // 2)
            os.fsync(fd)
            crash()
        original(target, fd)

    files.before_replace = die_half_written


if fault == "before-login":
    before(client.HarmonyClient, "login")
elif fault == "after-login":
    after(client.HarmonyClient, "login")
elif fault == "after-register-reply":
    after(client.HarmonyClient, "register")
elif fault == "register-reply-lost":  # the emulator drops the reply; die before the list that follows
    before_call(client.HarmonyClient, "find", 2)
elif fault == "during-lock-write":
    torn("harmony.lock")
elif fault == "after-lock-write":
    after(registration, "write_lock")
elif fault == "during-manifest-write":
    torn("MANIFEST.MF")
elif fault == "during-jar-write":
    torn("acme-faults-0.1.0.jar")
elif fault == "disk-full":  # every write that grows a file fails from here on, as on a full disk
    import resource, signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
elif fault != "none":
    raise SystemExit("unknown fault " + fault)

from hatchling.cli import hatchling

sys.argv = ["hatchling", "build", "-t", "jar"]
sys.exit(hatchling())
'''

NAME = "Acme Faults"
ACTIVITIES = ["fetch", "put"]
PROJECT = Project(NAME, "acme-faults", activities=tuple(ACTIVITIES))
JAR = f"dist/{PROJECT.jar_name}"
MANIFEST = "build/harmony/MANIFEST.MF"
LOCK = "harmony.lock"
TEMP = re.compile(r"\.(?P<target>.+)\.[^.]+\.tmp")


def write_adapter(root: Path, activities: list[str]) -> None:
    projects.write_adapter(root, PROJECT.adapter(activities={a: {"displayName": a} for a in activities}))


def make_project(root: Path) -> Path:
    return PROJECT.make(root)


def build(root: Path, emulator: Emulator, fault: str = "none") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, fault],
        cwd=root,
        env=build_env(emulator),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- what is on disk after a crash --------------------------------------------------------------------


@dataclass
class Disk:
    """The three outputs, each None when absent, else its parsed content; and the temp files left over."""

    lock: dict[str, int] | None = None  # the activity ids of the one entry
    manifest: dict[str, str] | None = None  # the main attributes
    jar: dict[str, str] | None = None  # the main attributes of its manifest
    jar_entries: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)


def outputs(root: Path) -> Disk:
    """Read every output completely; fail the test on anything half written."""
    disk = Disk()
    if (root / LOCK).exists():
        [entry] = read_lock(root / LOCK).entries  # raises on a torn lock
        disk.lock = dict(entry.activities)
    if (root / MANIFEST).exists():
        parsed = jm.Manifest.parse((root / MANIFEST).read_bytes(), source=MANIFEST)
        disk.manifest = dict(parsed.main.items())
        cm.check_shippable(parsed)  # a key, a secret and every id: not a truncated copy
    if (root / JAR).exists():
        with zipfile.ZipFile(root / JAR) as archive:
            assert archive.testzip() is None
            disk.jar_entries = archive.namelist()
            parsed = jm.Manifest.parse(archive.read("META-INF/MANIFEST.MF"), source=JAR)
        disk.jar = dict(parsed.main.items())
    for path in root.rglob("*.tmp"):
        match = TEMP.fullmatch(path.name)
        # A crash may leave the hidden temp file of a write it interrupted, beside its target, never
        # under the target's own name.
        assert match is not None, path
        assert match["target"] in ("harmony.lock", "MANIFEST.MF", "acme-faults-0.1.0.jar"), path
        disk.leftovers.append(str(path.relative_to(root)))
    return disk


def activity_ids(attributes: dict[str, str]) -> dict[str, int]:
    return {
        name.removeprefix(vocabulary.ACTIVITY_PREFIX): int(value)
        for name, value in attributes.items()
        if name.startswith(vocabulary.ACTIVITY_PREFIX)
    }


def assert_consistent(root: Path, emulator: Emulator, disk: Disk, activities: list[str]) -> None:
    """After a successful build: lock, manifest and jar agree with the one registration."""
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    assert disk.lock is not None and disk.manifest is not None and disk.jar is not None
    assert sorted(disk.lock) == sorted(activities)
    assert disk.manifest[vocabulary.KEY] == reg.key and disk.manifest[vocabulary.SECRET] == reg.secret
    assert disk.manifest[vocabulary.ENDPOINT_ID] == reg.endpoint_entity_id
    assert activity_ids(disk.manifest) == disk.lock == activity_ids(disk.jar)
    assert disk.jar[vocabulary.KEY] == reg.key
    assert "acme/Hello.class" in disk.jar_entries and "adapter.json" in disk.jar_entries
    assert not any(name.endswith(".tmp") for name in disk.jar_entries)


# --- the first build of a project, crashed at each step ------------------------------------------------


@dataclass(frozen=True)
class Step:
    fault: str
    registrations: int  # in the emulator after the crash
    written: tuple[str, ...]  # outputs complete on disk after the crash
    then: str  # what the next build says it did
    requests: dict[str, int]  # the next build's requests per route (others: 0)


THREE = {"login": 1, "list": 1, "register": 1}
TWO = {"login": 1, "list": 1}
STEPS = [
    Step("before-login", 0, (), f"harmony: registered '{NAME}'", THREE),
    Step("after-login", 0, (), f"harmony: registered '{NAME}'", THREE),
    Step("after-register-reply", 1, (), f"harmony: adopted '{NAME}'", TWO),
    Step("register-reply-lost", 1, (), f"harmony: adopted '{NAME}'", TWO),
    Step("during-lock-write", 1, (), f"harmony: adopted '{NAME}'", TWO),
    Step("after-lock-write", 1, ("lock",), f"harmony: looked-up '{NAME}'", TWO),
    Step("during-manifest-write", 1, ("lock",), f"harmony: looked-up '{NAME}'", TWO),
    Step("during-jar-write", 1, ("lock", "manifest"), "; 0 requests", {}),
]


@pytest.mark.parametrize("step", STEPS, ids=[s.fault for s in STEPS])
def test_a_crash_at_each_step_of_a_first_build_heals_on_the_next(
    step: Step, tmp_path: Path, emulator: Emulator
) -> None:
    root = make_project(tmp_path / "acme")
    if step.fault == "register-reply-lost":
        emulator.drop_after_register()
    crashed = build(root, emulator, step.fault)
    assert crashed.returncode == CRASH, crashed.stderr  # it died where it was meant to
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == step.registrations
    disk = outputs(root)
    present = tuple(name for name in ("lock", "manifest", "jar") if getattr(disk, name) is not None)
    assert present == step.written

    emulator.reset_counts()
    healed = build(root, emulator)
    assert healed.returncode == 0, healed.stderr
    assert step.then in healed.stderr + healed.stdout
    counts = {route: n for route, n in emulator.counts().items() if n}
    assert counts == step.requests
    assert_consistent(root, emulator, outputs(root), ACTIVITIES)


# --- a rebuild that changes every output, crashed while writing one -------------------------------------


#: The build writes the lock, then the manifest, then the jar.
ORDER = (LOCK, MANIFEST, JAR)
REWRITES = {"during-lock-write": LOCK, "during-manifest-write": MANIFEST, "during-jar-write": JAR}


@pytest.mark.parametrize("fault", REWRITES)
def test_a_crash_while_rewriting_an_output_leaves_the_previous_version(
    fault: str, tmp_path: Path, emulator: Emulator
) -> None:
    root = make_project(tmp_path / "acme")
    assert build(root, emulator).returncode == 0
    before = {name: (root / name).read_bytes() for name in ORDER}
    write_adapter(root, [*ACTIVITIES, "delete"])  # a new activity: lock, manifest and jar all change
    emulator.reset_counts()

    crashed = build(root, emulator, fault)
    assert crashed.returncode == CRASH, crashed.stderr
    done = ORDER[: ORDER.index(REWRITES[fault])]  # written before the interrupted one
    disk = outputs(root)  # each output is complete: the new version if written, else the old one
    for name in ORDER:
        assert ((root / name).read_bytes() == before[name]) == (name not in done), name
    assert disk.jar is not None and "Jitterbit-Activity-EntityTypeId-delete" not in disk.jar
    assert disk.leftovers, "a torn write leaves its temp file"

    healed = build(root, emulator)
    assert healed.returncode == 0, healed.stderr
    assert sum(emulator.counts().values()) == 0  # the lock and the manifest had all it needed
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1
    assert_consistent(root, emulator, outputs(root), [*ACTIVITIES, "delete"])


def test_java_reads_the_jar_rebuilt_after_a_crash_mid_jar(
    tmp_path: Path, emulator: Emulator, java_manifest: JavaManifestReader
) -> None:
    root = make_project(tmp_path / "acme")
    assert build(root, emulator, "during-jar-write").returncode == CRASH
    [leftover] = outputs(root).leftovers
    assert build(root, emulator).returncode == 0
    read = java_manifest(root / JAR)
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    assert read["manifestFirst"] is True
    assert read["main"]["Jitterbit-Connector-Key"] == reg.key
    assert read["main"]["Jitterbit-Connector-Endpoint-EntityTypeId"] == reg.endpoint_entity_id
    # The torn temp jar is hidden and never bundled; `hatch clean` (the jar target's clean) removes it.
    assert leftover.startswith("dist/.acme-faults-0.1.0.jar.")


# --- a full disk ------------------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_fails_the_build_with_the_lock_write_error_and_heals(
    tmp_path: Path, emulator: Emulator
) -> None:
    """The disk is full from the start: the registration succeeds (the network needs no disk), the lock
    write fails. That failure is the one message, naming harmony.lock; closing the cross-process lock
    file (whose note could not be written either) once raised OSError instead and hid it.

    The driver makes the kernel refuse every write that grows a file (RLIMIT_FSIZE = 0, so EFBIG
    rather than ENOSPC: a real full filesystem needs a mount of our own, hence root); the code path
    is the same, since no write error may be masked.
    """
    root = make_project(tmp_path / "acme")
    full = build(root, emulator, "disk-full")
    output = full.stderr + full.stdout
    assert full.returncode not in (0, CRASH), output
    assert "Traceback" not in output and "OSError" not in output, output
    assert output.count("hatch-harmony:") == 1, output
    assert f"{root / LOCK}: cannot be written" in output and "disk is not full" in output, output
    assert len(emulator.registrations(DEFAULT_ORG_ID)) == 1  # registered before the lock write failed
    disk = outputs(root)
    assert (disk.lock, disk.manifest, disk.jar, disk.leftovers) == (None, None, None, [])

    emulator.reset_counts()
    healed = build(root, emulator)
    assert healed.returncode == 0, healed.stderr
    assert f"harmony: adopted '{NAME}'" in healed.stderr + healed.stdout
    assert {route: n for route, n in emulator.counts().items() if n} == TWO
    assert_consistent(root, emulator, outputs(root), ACTIVITIES)


# --- a register reply without its id ------------------------------------------------


@pytest.mark.parametrize("connector_id", [None, ""], ids=["missing", "empty"])
def test_a_register_reply_without_an_id_is_adopted_by_listing_never_recorded_empty(
    connector_id: str | None, tmp_path: Path, emulator: Emulator
) -> None:
    """The reply is malformed, so the register's outcome is unknown: never resent, resolved by a list.

    Recording `connector-id = ""` made every later build call the registration deleted, and
    `delete --registration` find nothing.
    """
    root = make_project(tmp_path / "acme")
    emulator.override_next("register", {"id": connector_id})
    done = build(root, emulator)
    assert done.returncode == 0, done.stderr
    assert "the register reply was lost" in done.stderr + done.stdout
    [reg] = emulator.registrations(DEFAULT_ORG_ID)
    [entry] = read_lock(root / LOCK).entries
    assert entry.connector_id == reg.id != ""
    assert {route: n for route, n in emulator.counts().items() if n} == {"login": 1, "list": 2, "register": 1}
    assert_consistent(root, emulator, outputs(root), ACTIVITIES)

    emulator.reset_counts()
    again = build(root, emulator)  # the next build finds everything it needs where it left it
    assert again.returncode == 0, again.stderr
    assert sum(emulator.counts().values()) == 0
