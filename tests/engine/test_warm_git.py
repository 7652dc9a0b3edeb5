"""A warm build refuses exactly when the full engine would, whatever git ignore rule changed.

The stamp watches the project's own .gitignore and git's index, but git's ignore decision
also reads a monorepo's top-level .gitignore, .git/info/exclude and core.excludesFile. Each
test ignores the project's build folder through one of those only, builds twice (the second
build is warm), removes the rule, and wants the third build to refuse as a full run does,
never to hand over the now un-ignored manifest.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from hatch_harmony.emulator import Emulator
from tests.projects import Project, hatchling_build

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git executable")

WARM = "nothing it depends on changed since the last build"
REFUSED = "build/harmony/MANIFEST.MF is not ignored by git"
PROJECT = Project("Acme Warm Git", "acme-warm-git")
RULE = "conn/build/\n"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def build(root: Path, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    return hatchling_build(
        root, emulator, "-t", "jar", GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", timeout=120
    )


def top_gitignore(mono: Path) -> Path:
    return mono / ".gitignore"


def info_exclude(mono: Path) -> Path:
    return mono / ".git" / "info" / "exclude"


def excludes_file(mono: Path) -> Path:
    path = mono.parent / "global-ignore"
    git(mono, "config", "core.excludesFile", str(path))
    return path


@pytest.mark.parametrize(
    "rule_file",
    [top_gitignore, info_exclude, excludes_file],
    ids=["parent .gitignore", "info/exclude", "excludesFile"],
)
def test_a_removed_ignore_rule_outside_the_project_makes_the_warm_build_refuse(
    rule_file: Callable[[Path], Path], tmp_path: Path, emulator: Emulator
) -> None:
    mono = tmp_path / "mono"
    mono.mkdir()
    git(mono, "init", "-q")
    root = PROJECT.make(mono / "conn", gitignore=False)
    (root / ".gitignore").write_text("dist/\n.harmony.lock.lck\n", encoding="utf-8")  # no build/
    rules = rule_file(mono)
    rules.parent.mkdir(parents=True, exist_ok=True)
    rules.write_text(RULE, encoding="utf-8")

    first = build(root, emulator)
    assert first.returncode == 0, first.stderr
    warm = build(root, emulator)
    assert warm.returncode == 0 and WARM in warm.stderr, warm.stderr

    rules.write_text("# the build folder is no longer ignored\n", encoding="utf-8")
    full = build(root, emulator)
    assert full.returncode != 0, full.stderr
    assert REFUSED in full.stderr and WARM not in full.stderr


def test_a_git_work_tree_made_around_the_project_makes_the_warm_build_refuse(
    tmp_path: Path, emulator: Emulator
) -> None:
    """Outside git the manifest may go anywhere; once `git init` makes it a work tree, it must be ignored."""
    root = PROJECT.make(tmp_path / "conn", gitignore=False)
    assert build(root, emulator).returncode == 0
    warm = build(root, emulator)
    assert warm.returncode == 0 and WARM in warm.stderr, warm.stderr
    git(root, "init", "-q")
    full = build(root, emulator)
    assert full.returncode != 0, full.stderr
    assert REFUSED in full.stderr and WARM not in full.stderr
