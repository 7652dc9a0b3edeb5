"""The two file primitives every writer relies on: atomic replacement and a cross-process lock.

Why they live in one place: "a failed build leaves every file as it was" and "never two
registrations for one connector" are promises about files, and they are only as good as
the one function that writes and the one lock that serialises. Nothing else in the
package opens a file for writing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import HarmonyError

#: Text stored in a lock sidecar, so a developer who finds the file knows what it is.
_SIDECAR_NOTE = (
    b"hatch-harmony holds a lock on this file while it registers a connector or updates the lock file\n"
    b"beside it. It holds no data; it is safe to delete when no build runs. Add it to .gitignore.\n"
)

#: First and last pause between two attempts to take a busy lock.
_POLL_START = 0.02
_POLL_MAX = 0.25


class FileWriteError(HarmonyError):
    """A file could not be written; the previous content is untouched."""


class LockTimeoutError(HarmonyError):
    """Another process held the cross-process lock for longer than we were willing to wait."""


def _binary_flag() -> int:
    # Windows opens in text mode unless told otherwise; POSIX has no such flag.
    return getattr(os, "O_BINARY", 0)


def _create_temp(directory: Path, name: str, mode: int) -> tuple[int, Path]:
    """Exclusively create a fresh temp file next to the target, with `mode` from the first instant.

    `tempfile.mkstemp` always creates 0600 and would need a chmod afterwards; opening
    ourselves with O_EXCL lets the final mode (minus the umask) apply at creation, so a
    0600 secret file is never readable by others, not even for a moment.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _binary_flag()
    while True:
        temp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
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


#: Where the platform has it, opening the lock sidecar never follows a symlink.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that readers see either the old or the new file, never half of one.

    The temp file sits in the target's directory (a rename is atomic only within one
    filesystem), is fsynced before the rename and removed on any failure, including
    KeyboardInterrupt. Parent directories are created. A failure raises FileWriteError
    naming the file and the OS reason; the old file, if any, is intact.
    """
    path = Path(path)
    directory = path.parent
    if path.is_symlink():
        raise FileWriteError(
            f"{path}: is a symlink. Files are replaced atomically (a new file renamed over the old), which "
            "would silently turn the link into a regular file: point the option at the real file instead."
        )
    temp: Path | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp = _create_temp(directory, path.name, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
        temp = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FileWriteError(
            f"{path}: cannot be written ({reason}). Check that {directory} is writable and the disk "
            "is not full; the previous file, if any, is unchanged."
        ) from exc
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
    _fsync_directory(directory)


def lock_sidecar(path: Path) -> Path:
    """The file actually locked for `path`: `.<name>.lck` beside it.

    It cannot be `path` itself: `path` is replaced by `atomic_write`, and a lock on the
    replaced inode would not exclude a process that opens the new one. It is hidden so
    that it does not clutter the project; it stays after the build, because deleting a
    lock file while another process waits on it would let a third process take a
    second, separate lock.
    """
    return path.parent / f".{path.name}.lck"


def _try_lock(fd: int) -> bool:
    """One non-blocking attempt; True if we now hold the lock."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _release(fd: int) -> None:
    """Unlock and close the sidecar; never raises.

    Why silence here, of all places: this runs in a `finally`, so anything it raised would
    replace the error of the guarded work. On a full disk that hid the lock write's
    FileWriteError behind `OSError: [Errno 28]` from closing this file (issue 14, item 15).
    A failure here says nothing about the guarded files: the sidecar holds no data, and the
    OS drops the lock when the descriptor is closed (even by a failing close) or the process
    ends, so no later build waits on it.
    """
    with contextlib.suppress(OSError):
        _unlock(fd)
    with contextlib.suppress(OSError):
        os.close(fd)


@contextmanager
def interprocess_lock(path: Path, *, timeout: float = 120.0, what: str = "this build") -> Iterator[None]:
    """Hold an exclusive lock guarding `path` across processes (and threads) for the `with` body.

    Implemented with `flock` (POSIX) or `msvcrt.locking` (Windows) on `lock_sidecar(path)`:
    the OS releases it when the holder exits, even by a crash or `kill -9`, so a stale
    lock can never block a later build. Busy locks are polled (not a blocking call) so the
    wait is bounded by `timeout`; then LockTimeoutError says which file and why. `what`
    describes the guarded work for that message ("registration of 'Dropbox'").
    Not reentrant: taking it twice in one thread waits for itself.

    The sidecar is used through its bare descriptor, never a buffered file object: a
    buffer whose write failed (a full disk) is written again by `close()`, which then
    raises. Only the body's errors leave this function (see `_release`).
    """
    sidecar = lock_sidecar(Path(path))
    try:
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted (or left dangling) at the sidecar's name would make the
        # lock create or lock a file outside the project (issue 14, item 7).
        fd = os.open(sidecar, os.O_RDWR | os.O_CREAT | os.O_APPEND | _binary_flag() | _NOFOLLOW, 0o666)
    except OSError as exc:
        if sidecar.is_symlink():
            raise FileWriteError(
                f"{sidecar}: is a symlink, and the lock file guarding {Path(path).name} is never followed "
                "out of its folder. Remove it (`rm` the link; it is recreated as a plain empty file)."
            ) from exc
        raise FileWriteError(
            f"{sidecar}: cannot create the lock file that guards {Path(path).name} "
            f"({exc.strerror or exc}). Check that {sidecar.parent} is writable."
        ) from exc
    try:
        deadline = time.monotonic() + timeout
        pause = _POLL_START
        while not _try_lock(fd):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockTimeoutError(
                    f"{sidecar}: another process holds this lock (it guards {Path(path).name}), so "
                    f"{what} waited {timeout:g} s and gave up. Another build of this connector may be "
                    "running: wait for it to finish and retry. The lock is released when that process "
                    "ends; if it hangs, stop it."
                )
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, _POLL_MAX)
        _describe_sidecar(fd)
        yield
    finally:
        _release(fd)


def _describe_sidecar(fd: int) -> None:
    """Write the explanatory note into a fresh (empty) sidecar; never fails the build over it."""
    with contextlib.suppress(OSError):
        if os.fstat(fd).st_size == 0:
            os.write(fd, _SIDECAR_NOTE)
