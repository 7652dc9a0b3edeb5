"""What git thinks of a path: tracked, ignored, or neither. Asked before a secret is written.

A generated manifest holds the connector secret. Written to a path git tracks, it lands in
the history at the next commit; written to a path that is merely untracked, `git add .`
commits it. So in a git work tree the manifest may only go where git ignores it. We ask
git itself (it knows about nested .gitignore files, core.excludesFile, sparse checkouts,
worktrees and submodules), and only when a `.git` is found above the file, so projects
outside git pay nothing.
"""

from __future__ import annotations

import enum
from pathlib import Path


class GitStatus(enum.Enum):
    OUTSIDE = "outside"  # no git work tree (or no git executable): nothing to protect against
    IGNORED = "ignored"
    TRACKED = "tracked"
    UNTRACKED = "untracked"  # neither tracked nor ignored: `git add .` would commit it


def _inside_git_work_tree(path: Path) -> bool:
    return any((parent / ".git").exists() for parent in path.parents)


def _git(git: str, path: Path, *args: str) -> int:
    import subprocess  # lazy: `unpacked_sdist` is asked on every warm build, git only inside a work tree

    directory = path.parent
    while not directory.exists():  # a not-yet-created output folder: ask from the nearest existing one
        directory = directory.parent
    return subprocess.run(
        [git, *args, "--", str(path)], cwd=directory, capture_output=True, check=False
    ).returncode


def git_status(path: Path) -> GitStatus:
    """How git sees `path` (which need not exist yet); one `git` call in the usual (ignored) case."""
    import shutil

    path = path.absolute()
    git = shutil.which("git")
    if git is None or not _inside_git_work_tree(path):
        return GitStatus.OUTSIDE
    # check-ignore reports a tracked file as not ignored (its index entry wins), so exit 0 means
    # ignored and untracked; anything else needs the second question.
    if _git(git, path, "check-ignore", "-q") == 0:
        return GitStatus.IGNORED
    if _git(git, path, "ls-files", "--error-unmatch") == 0:
        return GitStatus.TRACKED
    return GitStatus.UNTRACKED


def is_tracked(path: Path) -> bool:
    """True when git tracks `path`; False outside a work tree or without a git executable."""
    return git_status(path) is GitStatus.TRACKED


def git_index(root: Path) -> Path | None:
    """git's index above `root`: any `git add` changes it, which may make the manifest tracked."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / "index"
        if dot_git.exists():
            return dot_git  # a worktree's .git file: its stat is the best cheap signal there
    return None


#: What every frontend says when it skips the manifest step there (`unpacked_sdist`).
UNPACKED_SDIST_SKIPPED = (
    "harmony: building from an unpacked sdist; the manifest belongs to the source tree, skipped"
)


def unpacked_sdist(root: Path) -> bool:
    """An unpacked sdist (PKG-INFO, no .git): its lock is a temporary copy, so it never registers.

    Asked by every frontend (the hatch hook, setuptools) before anything else.
    """
    return (root / "PKG-INFO").is_file() and not (root / ".git").exists()
