"""atomic_write is all-or-nothing and never too permissive; build_mutex excludes other processes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from hatch_harmony.errors import HarmonyError
from hatch_harmony.util import files
from hatch_harmony.util.files import (
    FileWriteError,
    MutexTimeoutError,
    atomic_write,
    build_mutex,
    mutex_file,
)

POSIX = sys.platform != "win32"


def leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def test_writes_new_file_and_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "MANIFEST.MF"
    atomic_write(target, b"Manifest-Version: 1.0\r\n")
    assert target.read_bytes() == b"Manifest-Version: 1.0\r\n"
    assert leftovers(target.parent, {"MANIFEST.MF"}) == []


def test_replaces_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "harmony.lock"
    target.write_bytes(b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path, {"harmony.lock"}) == []


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_secret_mode_is_set_from_creation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temp file must be 0600 the moment it exists, not chmod-ed afterwards."""
    seen: list[int] = []
    real_fdopen = os.fdopen

    def spy(fd: int, *args: object, **kwargs: object) -> object:
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "fdopen", spy)
    target = tmp_path / "MANIFEST.MF"
    atomic_write(target, b"Jitterbit-Connector-Secret: x\r\n", mode=0o600)
    assert seen == [0o600]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_secret_mode_replaces_a_world_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "MANIFEST.MF"
    target.write_bytes(b"old")
    target.chmod(0o644)
    atomic_write(target, b"new", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_default_mode_respects_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "harmony.lock", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "harmony.lock").stat().st_mode) == 0o644


def test_failed_replace_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "harmony.lock"
    target.write_bytes(b"old content")

    def refuse(*args: object) -> None:
        raise OSError(28, "No space left on device")

    # The rename is Path.replace. Patching os.replace would not reach it on Python 3.10, where
    # pathlib calls the os.replace its accessor bound at import time.
    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(FileWriteError) as info:
        atomic_write(target, b"new content")
    assert isinstance(info.value, HarmonyError)
    message = str(info.value)
    assert str(target) in message
    assert "No space left on device" in message
    assert "unchanged" in message
    assert target.read_bytes() == b"old content"
    assert leftovers(tmp_path, {"harmony.lock"}) == []


def test_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "harmony.lock"
    target.write_bytes(b"old content")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(FileWriteError, match="Input/output error"):
        atomic_write(target, b"new content")
    assert target.read_bytes() == b"old content"
    assert leftovers(tmp_path, {"harmony.lock"}) == []


def test_interrupt_removes_the_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "harmony.lock"
    target.write_bytes(b"old content")

    def interrupted(target: Path, fd: int) -> None:
        raise KeyboardInterrupt

    # files.before_replace is the seam between the written temp file and its rename
    monkeypatch.setattr(files, "before_replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b"new content")
    assert target.read_bytes() == b"old content"
    assert leftovers(tmp_path, {"harmony.lock"}) == []


def test_parent_that_cannot_be_a_directory(tmp_path: Path) -> None:
    """A real failure even root cannot bypass (unlike a read-only dir): a file where the dir should be."""
    blocker = tmp_path / "build"
    blocker.write_bytes(b"a file, not a directory")
    target = blocker / "MANIFEST.MF"
    with pytest.raises(FileWriteError) as info:
        atomic_write(target, b"x")
    assert str(target) in str(info.value)
    assert "writable" in str(info.value)
    assert blocker.read_bytes() == b"a file, not a directory"


def test_target_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.MF").mkdir()
    with pytest.raises(FileWriteError):
        atomic_write(tmp_path / "MANIFEST.MF", b"x")
    assert leftovers(tmp_path, {"MANIFEST.MF"}) == []


# --- the build mutex ----------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from hatch_harmony.util.files import build_mutex

    target, marker = Path(sys.argv[1]), Path(sys.argv[2])
    with build_mutex(target, timeout=60):
        print("locked", flush=True)
        sys.stdin.readline()            # hold until the test says so
        marker.write_text("released")   # written while still holding the mutex
    """
)


class Holder:
    """A separate process that holds the mutex until told to let go."""

    def __init__(self, target: Path, marker: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(target), str(marker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()


def test_the_mutex_locks_a_file_beside_the_lock_not_the_lock_itself(tmp_path: Path) -> None:
    target = tmp_path / "harmony.lock"
    with build_mutex(target):
        assert mutex_file(target).exists()
        assert not target.exists()
    assert mutex_file(target) == tmp_path / ".harmony.lock.lck"
    assert b"hatch-harmony" in mutex_file(target).read_bytes()


def test_the_mutex_is_released_after_the_block_and_after_an_error(tmp_path: Path) -> None:
    target = tmp_path / "harmony.lock"
    with pytest.raises(RuntimeError), build_mutex(target):
        raise RuntimeError("boom")
    with build_mutex(target, timeout=0):
        pass


def test_second_process_is_excluded_then_waits(tmp_path: Path) -> None:
    target = tmp_path / "harmony.lock"
    marker = tmp_path / "released"
    holder = Holder(target, marker)
    try:
        with pytest.raises(MutexTimeoutError) as info, build_mutex(target, timeout=0.2, what="the test"):
            pytest.fail("took a mutex another process holds")
        message = str(info.value)
        assert str(mutex_file(target)) in message
        assert "harmony.lock" in message
        assert "the test waited 0.2 s" in message
        assert "Another build of this connector may be running" in message

        acquired_after_release: list[bool] = []

        def waiter() -> None:
            with build_mutex(target, timeout=60):
                acquired_after_release.append(marker.exists())

        thread = threading.Thread(target=waiter)
        thread.start()
        holder.release()
        thread.join(timeout=60)
        assert acquired_after_release == [True]
    finally:
        holder.close()


def test_a_killed_holder_releases_the_mutex(tmp_path: Path) -> None:
    target = tmp_path / "harmony.lock"
    holder = Holder(target, tmp_path / "released")
    holder.proc.kill()
    holder.close()
    with build_mutex(target, timeout=30):
        pass


COUNTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from hatch_harmony.util.files import build_mutex

    target = Path(sys.argv[1])
    counter = target.with_name("counter")
    for _ in range(int(sys.argv[2])):
        with build_mutex(target, timeout=60):
            value = int(counter.read_text())
            counter.write_text(str(value + 1))
    """
)


def test_parallel_processes_never_lose_an_update(tmp_path: Path) -> None:
    target = tmp_path / "harmony.lock"
    (tmp_path / "counter").write_text("0")
    procs = [subprocess.Popen([sys.executable, "-c", COUNTER, str(target), "40"]) for _ in range(4)]
    assert [p.wait(timeout=100) for p in procs] == [0, 0, 0, 0]
    assert (tmp_path / "counter").read_text() == "160"


def test_mutex_where_its_file_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "conn"
    blocker.write_bytes(b"a file, not a directory")
    with pytest.raises(FileWriteError) as info, build_mutex(blocker / "harmony.lock"):
        pytest.fail("locked a file in a directory that cannot exist")
    assert ".harmony.lock.lck" in str(info.value)
    assert "writable" in str(info.value)


# --- a full disk ------------------------------------------------------------------

FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from hatch_harmony.util.files import atomic_write, build_mutex

    # The kernel now refuses every write that grows a file, as on a full disk (EFBIG instead of
    # ENOSPC: a real full filesystem needs a mount of our own, hence root).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
    target = Path(sys.argv[1])
    try:
        with build_mutex(target):
            atomic_write(target, b"lock-version = 1\\n")
    except BaseException as exc:
        print(type(exc).__name__, exc)
    """
)


@pytest.mark.skipif(not POSIX, reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_reports_the_guarded_write_not_the_mutex_file(tmp_path: Path) -> None:
    """The mutex file's note stayed buffered when the disk was full; closing that file then raised
    OSError and replaced the FileWriteError of the lock write (a traceback, no file named)."""
    target = tmp_path / "harmony.lock"
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(target)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.startswith(f"FileWriteError {target}: cannot be written"), done.stdout + done.stderr
    assert "disk is not full" in done.stdout
    assert not target.exists()
    assert leftovers(tmp_path, {".harmony.lock.lck"}) == []
    with build_mutex(target, timeout=0):  # nothing held on to the lock
        pass


@pytest.mark.skipif(not POSIX, reason="flock is POSIX")
@pytest.mark.parametrize("failing", ["unlock", "close"])
def test_the_mutexs_own_release_failure_never_hides_an_error(
    failing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC from unlocking or closing the mutex file: the guarded work's error surfaces, and a
    successful block stays successful (the mutex file holds no data; the OS drops the lock on close).

    Every unlock or close of the mutex file fails once patched (filelock retries a failed unlock
    when its lock object is dropped, so a block may see more than one failure): what counts is
    that the release failed in each block and neither block reported it."""
    import errno
    import fcntl

    target = tmp_path / "harmony.lock"
    sidecar = mutex_file(target)
    with build_mutex(target):  # the mutex file and its note exist: only releases touch it below
        pass
    injected: list[int] = []
    real_flock, real_close = fcntl.flock, os.close

    def flock(fd: int, operation: int) -> None:
        real_flock(fd, operation)
        if failing == "unlock" and operation == fcntl.LOCK_UN:
            injected.append(fd)
            raise OSError(errno.ENOSPC, "No space left on device")

    def close(fd: int) -> None:
        is_sidecar = os.path.samestat(os.fstat(fd), sidecar.stat()) if sidecar.exists() else False
        real_close(fd)  # as on Linux: the descriptor is gone even when close reports an error
        if failing == "close" and is_sidecar:
            injected.append(fd)
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fcntl, "flock", flock)
    monkeypatch.setattr(os, "close", close)
    with pytest.raises(FileWriteError, match="the write"), build_mutex(target):
        raise FileWriteError("the write failed")
    failed = len(injected)
    assert failed >= 1  # the release did fail, and the body's error came out
    with build_mutex(target):
        pass
    assert len(injected) > failed  # it failed again, and the block still succeeded
    monkeypatch.undo()
    with build_mutex(target, timeout=0):  # released both times
        pass
