"""The repository's own GitHub workflows do what README.md and pyproject.toml say, with pinned actions."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_readme import TEST_COMMAND

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def claimed_pythons() -> list[str]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.findall(r'"Programming Language :: Python :: (3\.\d+)"', text)


def every_uses() -> list[str]:
    found = []
    for path in [*sorted(WORKFLOWS.glob("*.yml")), ROOT / "action.yml"]:
        if path.exists():
            found += re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)", path.read_text(encoding="utf-8"), flags=re.M)
    return found


def test_every_third_party_action_is_pinned_to_a_full_commit_sha() -> None:
    uses = every_uses()
    assert len(uses) >= 8
    unpinned = [u for u in uses if not u.startswith("./") and not PINNED.match(u)]
    assert unpinned == []
    # and the comment beside each says which release the SHA is, so an update is a reviewable diff
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"uses:\s*\S+@[0-9a-f]{40}", line):
                assert re.search(r"#\s*v\d+(\.\d+)*\s*$", line), line


def test_ci_runs_the_readme_command_on_three_systems_and_every_claimed_python_with_a_jdk() -> None:
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    test = ci["jobs"]["test"]
    matrix = test["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert matrix["python-version"] == claimed_pythons() == ["3.10", "3.11", "3.12", "3.13"]
    assert test["strategy"]["fail-fast"] is False
    uses = [s["uses"].split("@")[0] for s in steps(test) if "uses" in s]
    assert uses == ["actions/checkout", "actions/setup-java", "actions/setup-python"]
    [java] = [s for s in steps(test) if s.get("uses", "").startswith("actions/setup-java@")]
    assert java["with"]["distribution"] and java["with"]["java-version"]
    [python] = [s for s in steps(test) if s.get("uses", "").startswith("actions/setup-python@")]
    assert python["with"]["python-version"] == "${{ matrix.python-version }}"
    runs = {s.get("if"): s["run"] for s in steps(test) if "run" in s}
    assert runs["runner.os != 'Windows'"] == TEST_COMMAND  # the very line of README.md and .ci/run
    # Windows: the README's own note (no python3; the venv's Python is .venv\Scripts\python), nothing else
    windows = TEST_COMMAND.replace("python3 ", "python ", 1).replace(".venv/bin/", ".venv/Scripts/")
    assert runs["runner.os == 'Windows'"] == windows
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert r"On Windows the venv's Python is `.venv\Scripts\python`" in readme
    lint = [s["run"] for s in steps(ci["jobs"]["lint"]) if "run" in s]
    assert lint[1:] == [".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"]


def test_ci_claims_match_the_metadata() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={claimed_pythons()[0]}"


def test_release_builds_checks_publishes_with_trusted_publishing_and_attaches_the_files() -> None:
    release = load("release.yml")
    assert release["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}  # v0.1.0, the version's tag
    assert release["permissions"] == {"contents": "read"}  # each job asks for what it needs
    jobs = release["jobs"]
    build = [s.get("run", "") for s in steps(jobs["build"])]
    assert "python -m build" in build
    assert "python -m twine check --strict dist/*" in build
    assert "check-wheel-contents dist/*.whl" in build
    pypi = jobs["pypi"]
    assert pypi["needs"] == "build" and pypi["permissions"] == {"id-token": "write"}
    assert pypi["environment"]["name"] == "pypi"
    [publish] = [s for s in steps(pypi) if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert "with" not in publish  # no password, no token: trusted publishing only
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "secrets." not in text and "password" not in text.lower()
    attach = jobs["github-release"]
    assert attach["needs"] == "pypi" and attach["permissions"] == {"contents": "write"}
    [run] = [s["run"] for s in steps(attach) if "run" in s]
    assert run.startswith('gh release create "$GITHUB_REF_NAME" dist/*')


@pytest.mark.skipif(sys.platform == "win32", reason=".ci/ scripts are bash, run on Linux")
def test_ci_pythons_skips_a_missing_interpreter_with_one_line_each(tmp_path: Path) -> None:
    """.ci/pythons on a machine with neither pyenv nor python3.10/3.13: one line per version, exit 0.

    PATH holds only the tools the script uses (and `python3`, to read pyproject.toml), so no
    suite runs here; on CI the same script finds the interpreters and runs the suite on each.
    """
    import shutil
    import subprocess

    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("bash", "mktemp", "rm", "cat", "dirname"):
        found = shutil.which(name)
        assert found is not None, name
        (tools / name).symlink_to(found)
    (tools / "python3").symlink_to(sys.executable)
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "pythons")],
        env={"PATH": str(tools), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    oldest, newest = claimed_pythons()[0], claimed_pythons()[-1]
    assert done.stdout.splitlines() == [
        f"Python {v}: skipped, no python{v} interpreter on this machine (pyenv or PATH)"
        for v in (oldest, newest)
    ]
