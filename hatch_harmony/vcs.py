"""Is a file tracked by git? Asked before a secret is written into it.

A generated manifest holds the connector secret, so writing it to a path that git tracks
would put the secret into the repository's history at the next commit. We ask git itself
(it knows about sparse checkouts, worktrees and submodules), and only when a `.git` is
found above the file, so projects outside git pay nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def _inside_git_work_tree(path: Path) -> bool:
    return any((parent / ".git").exists() for parent in path.parents)


def is_tracked(path: Path) -> bool:
    """True when git tracks `path`; False outside a work tree or without a git executable."""
    path = path.absolute()
    git = shutil.which("git")
    if git is None or not _inside_git_work_tree(path):
        return False
    directory = path.parent
    while not directory.exists():  # a not-yet-created output folder: ask from the nearest existing one
        directory = directory.parent
    result = subprocess.run(
        [git, "ls-files", "--error-unmatch", "--", str(path)],
        cwd=directory,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0
