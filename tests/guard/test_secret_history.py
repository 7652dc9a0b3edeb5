"""The git-history secret scan (hatch_harmony/guard/secret_history.py): commits and paths, never values."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hatch_harmony.guard import secret_history
from hatch_harmony.guard.secret_history import holds_secret, scan

KEY = "5f0c2b9e-7d41-4c1a-9b8e-2f6a3c1d0e77"
SECRET = "a9d8c7b6-e5f4-4321-8765-0fedcba98765"


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
    }
    return subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def commit(root: Path, message: str, files: dict[str, str]) -> str:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "connector"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    return root


def test_outside_git_nothing_is_claimed(tmp_path: Path) -> None:
    found = scan(tmp_path)
    assert not found.in_git and not found.found and found.complete


def test_commits_that_added_real_values_are_named_on_every_ref_and_placeholders_are_not(repo: Path) -> None:
    added = commit(
        repo,
        f"Production manifest (key {KEY})",
        {"META-INF/MANIFEST.MF": f"Jitterbit-Connector-Key: {KEY}\n"},
    )
    commit(repo, "Hide the key", {"META-INF/MANIFEST.MF": "Jitterbit-Connector-Key: ****\n"})
    commit(
        repo,
        "Docs and scripts",
        {
            "README.md": "Jitterbit-Connector-Key: <your key>\nJitterbit-Connector-Secret: ${SECRET}\n",
            "build.sh": 'echo "Jitterbit-Connector-Key: $KEY" >> MANIFEST.MF\n',
        },
    )
    git(repo, "checkout", "-q", "-b", "release")
    other = commit(
        repo, "Release settings", {"conf/harmony.properties": f"jitterbit-connector-secret={SECRET}\n"}
    )
    git(repo, "checkout", "-q", "main")

    found = scan(repo)

    assert found.in_git and found.complete
    by_commit = {c.commit: c for c in found.commits}
    assert set(by_commit) == {added, other}
    assert by_commit[added].paths == ("META-INF/MANIFEST.MF",)
    assert by_commit[added].attributes == ("Jitterbit-Connector-Key",)
    assert by_commit[added].subject == "Production manifest (key ****)"  # a quoted value is masked
    assert by_commit[other].attributes == ("Jitterbit-Connector-Secret",)
    assert by_commit[added].date.startswith("2020-01-01")
    assert found.tracked == ()  # main's files hold placeholders now
    shown = repr(found) + str(found)
    assert KEY not in shown and SECRET not in shown


def test_tracked_files_holding_a_value_now_are_listed(repo: Path) -> None:
    commit(repo, "Template", {"src/MANIFEST.MF": "Jitterbit-Connector-Secret: *****\n", "notes.txt": "hi\n"})
    (repo / "src" / "MANIFEST.MF").write_text(f"Jitterbit-Connector-Secret: {SECRET}\n", encoding="utf-8")
    (repo / "untracked.MF").write_text(f"Jitterbit-Connector-Key: {KEY}\n", encoding="utf-8")

    assert scan(repo).tracked == ("src/MANIFEST.MF",)


def test_a_value_continued_over_manifest_lines_counts(repo: Path) -> None:
    assert holds_secret(f"Jitterbit-Connector-Key: \r\n {KEY}\r\n".encode(), "x/MANIFEST.MF") == (
        "Jitterbit-Connector-Key",
    )
    assert holds_secret(b"Jitterbit-Connector-Key: ****\nJitterbit-Connector-Secret: \n", "MANIFEST.MF") == ()


def test_the_work_is_bounded_and_says_so(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "one", {"a.MF": f"Jitterbit-Connector-Key: {KEY}\n"})
    commit(repo, "two", {"b.MF": f"Jitterbit-Connector-Secret: {SECRET}\n"})

    capped = scan(repo, max_commits=1)
    assert not capped.complete and "newest 1 commits" in (capped.reason or "")
    assert [c.subject for c in capped.commits] == ["two"]

    monkeypatch.setattr(secret_history, "MAX_BLOB_BYTES", 8)  # every file here is bigger: not read
    skipped = scan(repo)
    assert skipped.commits == () and not skipped.complete
    assert skipped.reason == "2 file version(s) over 8 bytes were not read"
