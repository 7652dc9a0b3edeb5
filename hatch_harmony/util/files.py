"""The two file primitives every writer relies on: atomic replacement and the build mutex.

Why they live in one place: "a failed build leaves every file as it was" and "never two
registrations for one connector" are promises about files, and they are only as good as
the one function that writes and the one mutex that serialises. Every file the package
writes (harmony.lock, the manifest, the jar, the warm stamp, the emulator's --data file)
goes through `atomic_write` or its streaming form `atomic_write_with`.

Vocabulary: "lock" means `harmony.lock` only. What keeps two builds apart is the *build
mutex*, an OS file lock (the `filelock` library) held on `.harmony.lock.lck` beside it.

Standard library only at import time (the emulator imports this module, and must never
need the client's dependencies); `filelock` is imported when a mutex is taken.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from hatch_harmony.errors import HarmonyError

#: Text stored in a mutex file, so a developer who finds the file knows what it is.
_MUTEX_NOTE = (
    b"hatch-harmony's build mutex: a build holds an OS lock on this file while it registers a connector\n"
    b"or updates harmony.lock beside it. It holds no data; it is safe to delete when no build runs.\n"
    b"Keep it out of git (.gitignore).\n"
)

#: Pause between two attempts to take a busy mutex.
_POLL = 0.05


class FileWriteError(HarmonyError):
    """A file could not be written; the previous content is untouched.

    `reason` is the operating system's reason alone ("No space left on device"), for
    callers that phrase their own message around it (the emulator's HTTP 500).
    """

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class MutexTimeoutError(HarmonyError):
    """Another process held the build mutex for longer than we were willing to wait."""


def before_replace(target: Path, fd: int) -> None:
    """The seam between a finished temp file and its rename over `target`: does nothing.

    `atomic_write` and `atomic_write_with` call it once the new content is written and
    fsynced, with the temp file's descriptor still open, just before the rename makes it
    `target`. It exists for crash-injection tests (tests/promises/test_faults.py replaces it to
    truncate the temp file and kill the process there, as a power cut between write and
    rename would); nothing in the package sets it.
    """


def _binary_flag() -> int:
    # Windows opens in text mode unless told otherwise; POSIX has no such flag.
    return getattr(os, "O_BINARY", 0)


def _create_temp(directory: Path, name: str, mode: int) -> tuple[int, Path]:
    """Exclusively create a fresh temp file next to the target, with `mode` from the first instant.

    `tempfile.mkstemp` always creates 0600 and would need a chmod afterwards; opening
    ourselves with O_EXCL lets the final mode (minus the umask) apply at creation, so a
    0600 secret file is never readable by others, not even for a moment. O_RDWR, not
    O_WRONLY: a zip writer seeks back over what it wrote.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _binary_flag()
    while True:
        temp = directory / f".{name}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(temp, flags, mode), temp
        except FileExistsError:  # pragma: no cover - 48 random bits colliding
            continue


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX only; Windows cannot open a directory)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the data itself is synced
    finally:
        os.close(fd)


def _write_error(path: Path, exc: OSError) -> FileWriteError:
    reason = exc.strerror or str(exc)
    return FileWriteError(
        f"{path}: cannot be written ({reason}). Check that {path.parent} is writable and the disk "
        "is not full; the previous file, if any, is unchanged.",
        reason=reason,
    )


def atomic_write_with(path: Path, writer: Callable[[BinaryIO], object], *, mode: int = 0o644) -> None:
    """Replace `path` with what `writer` writes into the file object it is given, all or nothing.

    The streaming form of `atomic_write`, for content too large to hold in memory (a jar
    bundling hundreds of dependencies): `writer` gets a binary, seekable file object open
    on a temp file in the target's directory (a rename is atomic only within one
    filesystem) and must not close it. Then the temp file is fsynced, handed to
    `before_replace`, and renamed over `path`; on any failure, including KeyboardInterrupt,
    it is removed and `path` is as it was. Parent directories are created; the mode is
    `mode` minus the umask from the first instant.

    Errors: what `writer` raises propagates unchanged (an unreadable source file stays an
    OSError about that file); a failure of the replacement itself (creating, syncing or
    renaming the temp file) raises FileWriteError naming `path` and the OS reason. A
    symlink at `path` is refused: the rename would silently turn it into a regular file.
    """
    path = Path(path)
    directory = path.parent
    if path.is_symlink():
        raise FileWriteError(
            f"{path}: is a symlink. Files are replaced atomically (a new file renamed over the old), which "
            "would silently turn the link into a regular file: point the option at the real file instead.",
            reason="is a symlink",
        )
    temp: Path | None = None
    try:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, temp = _create_temp(directory, path.name, mode)
            handle = os.fdopen(fd, "w+b")
        except OSError as exc:
            raise _write_error(path, exc) from exc
        with handle:
            writer(handle)
            try:
                handle.flush()
                os.fsync(handle.fileno())
                before_replace(path, handle.fileno())
            except OSError as exc:
                raise _write_error(path, exc) from exc
        try:
            temp.replace(path)
        except OSError as exc:
            raise _write_error(path, exc) from exc
        temp = None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
    _fsync_directory(directory)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that readers see either the old or the new file, never half of one.

    `atomic_write_with` writing `data`: the temp file beside the target is fsynced before
    the rename and removed on any failure, including KeyboardInterrupt. Parent directories
    are created. A failure raises FileWriteError naming the file and the OS reason; the
    old file, if any, is intact.
    """
    try:
        atomic_write_with(path, lambda handle: handle.write(data), mode=mode)
    except OSError as exc:  # writing the bytes themselves: a full disk
        raise _write_error(Path(path), exc) from exc


def mutex_file(path: Path) -> Path:
    """The file the build mutex guarding `path` locks: `.<name>.lck` beside it.

    It cannot be `path` itself: `path` is replaced by `atomic_write`, and an OS lock on the
    replaced inode would not exclude a process that opens the new one. It is hidden so that
    it does not clutter the project; it stays after the build, because deleting it while
    another process waits on it would let a third process lock a second, separate file.
    """
    return path.parent / f".{path.name}.lck"


@contextmanager
def build_mutex(path: Path, *, timeout: float = 120.0, what: str = "this build") -> Iterator[None]:
    """Hold the build mutex guarding `path` (harmony.lock) across processes and threads for the body.

    An exclusive OS lock (`filelock.FileLock`: flock on POSIX, LockFileEx on Windows) on
    `mutex_file(path)`: the OS releases it when the holder exits, even by a crash or
    `kill -9`, so a stale mutex can never block a later build. The wait is bounded by
    `timeout`; then MutexTimeoutError says which file and why. `what` describes the
    guarded work for that message ("registration of 'Dropbox'"). Not reentrant: taking it
    again in the same thread is a programming error.

    The mutex file is never followed through a symlink (a link planted or left dangling at
    its name would make the mutex create or lock a file outside the project). Only the
    body's errors leave this function: a failure to release (a full disk when closing) is
    swallowed, since the mutex file holds no data and the OS drops the lock when the
    descriptor closes or the process ends.
    """
    from filelock import FileLock, Timeout  # only registering builds and lock edits pay for it

    guarded = Path(path)
    sidecar = mutex_file(guarded)
    _refuse_symlink(sidecar, guarded)
    try:
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        mutex = FileLock(sidecar)
        mutex.acquire(timeout=timeout, poll_interval=_POLL)
    except Timeout:
        raise MutexTimeoutError(
            f"{sidecar}: another process holds the build mutex guarding {guarded.name}, so {what} waited "
            f"{timeout:g} s and gave up. Another build of this connector may be running: wait for it to "
            "finish and retry. The mutex is released when that process ends; if it hangs, stop it."
        ) from None
    except OSError as exc:
        _refuse_symlink(sidecar, guarded)  # swapped in since the check: the open refused to follow it
        raise FileWriteError(
            f"{sidecar}: cannot create the build mutex file that guards {guarded.name} "
            f"({exc.strerror or exc}). Check that {sidecar.parent} is writable.",
            reason=exc.strerror or str(exc),
        ) from exc
    try:
        _describe(sidecar)
        yield
    finally:
        with contextlib.suppress(OSError):
            mutex.release()


@contextmanager
def no_new_mutex_on_failure(path: Path) -> Iterator[None]:
    """Run the body; if it fails and it created the mutex file guarding `path`, remove that file again.

    For commands whose failure must leave the project as it was, `git status` included
    (`init`: the mutex file is not yet ignored by git when it stops). The file is removed only
    while no process holds the mutex: taken without waiting, unlinked, released. A mutex file
    that existed before the body ran is always left alone.
    """
    from filelock import FileLock, Timeout

    sidecar = mutex_file(Path(path))
    existed = os.path.lexists(sidecar)
    try:
        yield
    except BaseException:
        if not existed and not sidecar.is_symlink() and sidecar.is_file():
            mutex = FileLock(sidecar)
            with contextlib.suppress(Timeout, OSError):
                mutex.acquire(timeout=0)
                try:
                    sidecar.unlink()
                finally:
                    mutex.release()
        raise


def _refuse_symlink(sidecar: Path, guarded: Path) -> None:
    if sidecar.is_symlink():
        raise FileWriteError(
            f"{sidecar}: is a symlink, and the build mutex file guarding {guarded.name} is never followed "
            "out of its folder. Remove it (`rm` the link; it is recreated as a plain file).",
            reason="is a symlink",
        )


def _describe(sidecar: Path) -> None:
    """Write the explanatory note into an empty mutex file; never fails the build over it.

    Through a descriptor of its own, never a buffered file object: a buffer whose write
    failed (a full disk) is written again by `close()`, which then raises.
    """
    with contextlib.suppress(OSError):
        if os.lstat(sidecar).st_size:
            return
        fd = os.open(sidecar, os.O_WRONLY | os.O_APPEND | _binary_flag() | getattr(os, "O_NOFOLLOW", 0))
        try:
            if os.fstat(fd).st_size == 0:
                os.write(fd, _MUTEX_NOTE)
        finally:
            os.close(fd)
