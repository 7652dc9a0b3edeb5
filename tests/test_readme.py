"""The README tells the truth: its test command is CI's, its CLI reference is the CLI's, its workflow runs."""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hatch_harmony.cli import build_parser

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tests.markdown import ROOT, anchors, outside_code, read, section, squash
from tests.markdown import fenced as fenced_in

README = read("README.md")
#: This repository's own section: its two commands (the demo, the tests) and the links to docs/.
HACKING = "## Working on hatch-harmony (this repository)"


def fenced(language: str) -> list[str]:
    return fenced_in(README, language)


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


TEST_COMMAND = (
    'python3 -m venv .venv && .venv/bin/python -m pip install -e ".[test]" && .venv/bin/python -m pytest'
)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = [block.strip() for block in fenced("sh") if "pytest" in block]
    assert commands == [TEST_COMMAND]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[0] in ci
    after = ci[ci.index(commands[0]) + 1 :]
    linters = [line for line in after if line.strip() and not line.startswith("#")]
    assert linters == [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        "bash .ci/pythons",  # the suite on the oldest and the newest Python claimed
    ]


def test_readme_commands_need_only_python3() -> None:
    """A fresh Debian/Ubuntu machine has `python3` (externally managed, PEP 668) and maybe no `python`.

    So the two commands may call `python3` only to make a venv or to run a script, and
    everything else (pip above all) through the Python of a venv made earlier in the line.
    """
    checked = 0
    for block in fenced("sh"):
        if "pytest" not in block and "demo.py" not in block:
            continue
        venvs: list[str] = []
        for command in block.strip().split("&&"):
            argv = shlex.split(command)
            if argv[0] == "python3":
                if argv[1:3] == ["-m", "venv"]:
                    venvs.append(argv[3])
                else:
                    assert argv[1].endswith(".py") and len(argv) == 2, command
            else:
                assert argv[0] in [f"{venv}/bin/python" for venv in venvs], command
            checked += 1
    assert checked == 4  # the demo; venv, install, pytest


def test_the_test_venv_is_ignored_by_git_ruff_mypy_pytest_and_the_sdist(tmp_path: Path) -> None:
    """The README's venv lives in the checkout: nothing may lint, collect, track or package it."""
    import subprocess

    import pathspec
    from hatchling.builders.constants import EXCLUDED_DIRECTORIES

    [venv] = re.findall(r"python3 -m venv (\S+) ", TEST_COMMAND)
    assert f"{venv}/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["files"] == ["hatch_harmony"]
    assert config["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]
    sdist = config["tool"]["hatch"]["build"]["targets"]["sdist"]
    assert not pathspec.GitIgnoreSpec.from_lines(sdist["include"]).match_file(f"{venv}/lib/site.py")
    assert venv in EXCLUDED_DIRECTORIES  # hatchling never walks into it either
    (tmp_path / venv / "lib").mkdir(parents=True)
    (tmp_path / venv / "lib" / "vendored.py").write_text("import os\n", encoding="utf-8")  # F401
    (tmp_path / "ours.py").write_text('"""Fine."""\n', encoding="utf-8")
    ruff = Path(sys.executable).parent / "ruff"
    listed = subprocess.run(
        [str(ruff), "check", "--show-files", "--config", str(ROOT / "pyproject.toml"), "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ours.py" in listed and "vendored.py" not in listed


def test_readme_demo_command_exists() -> None:
    assert "python3 example_connector/demo.py" in README
    hacking = section(README, HACKING)  # the two commands are this repository's, not a connector's
    assert fenced_in(hacking, "sh") == ["python3 example_connector/demo.py\n", TEST_COMMAND + "\n"]
    assert (ROOT / "example_connector" / "demo.py").is_file()


@pytest.mark.parametrize("command", sorted(subparsers()))
def test_cli_reference_matches_help(command: str) -> None:
    usage = squash(subparsers()[command].format_usage())
    assert usage in squash(README), (
        f"README's usage of `{command}` is stale; copy `hatch-harmony {command} -h`"
    )
    assert f"| `{command}` |" in README


COMMON_OPTIONS = ("--project", "--env", "--region", "--url", "--org-id", "--json", "--verbose")


def test_the_commands_that_take_the_common_options_are_the_ones_the_readme_names() -> None:
    """README: every command takes the common options, except init (no --env), check-secrets (--project and
    --json only), schema and emulator (their own)."""
    lacking = {}
    for name, parser in subparsers().items():
        options = {o for action in parser._actions for o in action.option_strings}
        missing = [o for o in COMMON_OPTIONS if o not in options]
        if missing:
            lacking[name] = missing
    assert lacking == {
        "init": ["--env"],
        "check-secrets": [o for o in COMMON_OPTIONS if o not in ("--project", "--json")],
        "schema": list(COMMON_OPTIONS),
        "emulator": list(COMMON_OPTIONS),
    }
    sentence = (
        "Every command takes the common options below, except `init`, which takes them without `--env` (it "
        "writes the base table), `check-secrets`, which takes only `--project` and `--json` (it never talks "
        "to Harmony), and `schema` and `emulator`, which take their own"
    )
    assert sentence in squash(README)


def test_markdown_tables_are_not_split_by_a_blank_line() -> None:
    """A blank line inside a table ends it: the rest renders as text (the jar options table once did)."""
    lines = README.splitlines()
    for number, line in enumerate(lines[2:], start=2):
        if line.startswith("| ") and not lines[number - 1].strip() and lines[number - 2].startswith("|"):
            header = lines[number + 1] if number + 1 < len(lines) else ""
            assert header.startswith("|---"), f"README line {number + 1}: a table goes on after a blank line"


def test_every_option_of_every_command_is_documented_in_usage() -> None:
    text = squash(README)
    for name, parser in subparsers().items():
        for action in parser._actions:
            for flag in action.option_strings:
                assert flag in text, f"{name} {flag} missing from the README"


def workflow() -> dict[str, Any]:
    [block] = [b for b in fenced("yaml") if "jobs:" in b]
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    return data


def test_release_workflow_parses_and_its_commands_exist() -> None:
    data = workflow()
    [job] = data["jobs"].values()
    runs = [step["run"] for step in job["steps"] if "run" in step]
    ours = [shlex.split(run) for run in runs if run.startswith("hatch-harmony ")]
    assert {args[1] for args in ours} >= {"status", "manifest"}
    parser = build_parser()
    for args in ours:
        parsed = parser.parse_args(args[1:])  # exits (fails the test) on an unknown command or option
        assert parsed.command == args[1]
    # the jar is built by this repository's action (action.yml), with inputs it has, at this version's tag
    import hatch_harmony

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    [step] = [s for s in job["steps"] if s.get("uses", "").split("@")[0].endswith("/hatch-harmony")]
    assert step["uses"].endswith(f"/hatch-harmony@v{hatch_harmony.__version__}")
    assert set(step["with"]) <= set(action["inputs"])
    from hatch_harmony.config.destinations import parse_destination

    destinations = step["with"]["destinations"].split()  # the example deploys: each one a destination
    assert destinations and all(not isinstance(parse_destination(text), str) for text in destinations)
    outputs = re.findall(rf"steps\.{step['id']}\.outputs\.([\w-]+)", yaml.safe_dump(job["steps"]))
    assert outputs and set(outputs) <= set(action["outputs"])
    env = job["env"]
    for secret in ("HARMONY_CONNECTOR_KEY", "HARMONY_CONNECTOR_SECRET"):
        assert env[secret] == f"${{{{ secrets.{secret} }}}}"
    assert not any(k in env for k in ("HARMONY_PASSWORD",)) or env["HARMONY_PASSWORD"].startswith("${{")


def test_release_workflow_env_is_accepted_by_the_config(tmp_path: Path) -> None:
    """The variables the workflow sets are ones the engine reads, with valid values."""
    from hatch_harmony.config import load_config

    env = {k: str(v) for k, v in workflow()["jobs"]["jar"]["env"].items() if not str(v).startswith("${{")}
    table = {"environments": {"prod": {"org-id": "22222"}}}
    config = load_config(table, tmp_path, env)
    assert config.environment == "prod" and config.offline and config.region == "na"


def test_the_readme_points_maintainers_to_docs() -> None:
    """The section for people working on hatch-harmony links every page of docs/; the module list is there."""
    hacking = section(README, HACKING)
    docs = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    assert docs and all(f"(docs/{name})" in hacking for name in docs), docs
    assert "docs/architecture.md" in hacking  # the module tree moved there (tests/test_architecture.py)
    assert "hatch_harmony/" in hacking and "```\nhatch_harmony/" not in README  # one module list, not two


def links(text: str) -> list[tuple[str, str]]:
    """(file, anchor) of each Markdown link to this repository's Markdown; file "" is the page itself."""
    found = re.findall(r"\]\(([\w./-]*\.md)?(?:#([^)]+))?\)", outside_code(text))
    return [(target, anchor) for target, anchor in found if target or anchor]


MARKDOWN = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", MARKDOWN)
def test_every_link_to_a_section_finds_its_heading(page: str) -> None:
    """README's links to its own sections and to docs/, and the docs' links back, each find their heading."""
    text = read(page)
    found = links(text)
    assert found, f"{page} links nothing"
    broken = []
    for target, anchor in found:
        path = (ROOT / page).parent / target if target else ROOT / page
        if not path.resolve().is_file():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(path.read_text(encoding="utf-8")):
            broken.append(f"{target}#{anchor}: no such heading")
    assert broken == [], f"{page}: {broken}"
    if page == "README.md":
        assert {"a-connectors-life", "checking-a-setup-hatch-harmony-doctor"} <= anchors(text)
        assert {anchor for target, anchor in found if not target} >= {"a-connectors-life", "installing"}


FILES_TABLE = "### Which files to commit, which to ignore, which hold a secret"


def files_table() -> list[tuple[str, str, str]]:
    """(first path named, git column, secret column) of each row of the files table."""
    rows = []
    for line in section(README, FILES_TABLE).splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("file", "---") and not cells[0].startswith("---"):
            [path, *_] = re.findall(r"`([^`]+)`", cells[0]) or [cells[0]]
            rows.append((path, cells[1], cells[2]))
    return rows


def test_the_files_table_agrees_with_the_gitignore_init_writes_and_the_readme_sample() -> None:
    """A row to ignore is ignored by `init --new`'s .gitignore (and the README sample's, where both have it),
    a row to commit is not; the generated manifest and the jar hold the secret."""
    import pathspec

    from hatch_harmony.init.scaffold import GITIGNORE

    [sample] = fenced_in(section(README, "### A connector project"), "gitignore")
    scaffold = pathspec.GitIgnoreSpec.from_lines(GITIGNORE.splitlines())
    readme_sample = pathspec.GitIgnoreSpec.from_lines(sample.splitlines())
    rows = files_table()
    assert len(rows) >= 12
    checked = 0
    for path, git, secret in rows:
        if git.startswith("outside"):
            assert path.startswith("~/") or "~/" in secret or "emulator" in path, path
            continue
        probe = path.replace("*", "x").replace("<env>", "prod") + ("x.class" if path.endswith("/") else "")
        if probe == "target/x.class":
            assert readme_sample.match_file(probe)  # Maven's output: the sample's .gitignore
            continue
        assert git.startswith(("commit", "ignore")), (path, git)
        assert scaffold.match_file(probe) == git.startswith("ignore"), (path, git)
        if git.startswith("ignore") and not probe.startswith("lib/"):
            assert readme_sample.match_file(probe), path
        checked += 1
    assert checked >= 10
    secrets = {path for path, _, secret in rows if secret.startswith("**yes**")}
    assert {"build/harmony/MANIFEST.MF", "dist/*.jar"} <= secrets
    assert "harmony.lock" not in secrets and "pyproject.toml" not in secrets


def test_the_readme_draws_the_build() -> None:
    """The Mermaid diagram (GitHub renders it): the inputs, Harmony, the manifest, the jar, the agent."""
    [diagram] = fenced_in(README, "mermaid")
    assert diagram.startswith("flowchart LR\n")
    for name in (
        "adapter.json",
        "MANIFEST.MF.in",
        "harmony.lock",
        "Harmony",
        "build/harmony/MANIFEST.MF",
        "agent",
    ):
        assert name in diagram, name
    assert "hatch-harmony deploy" in diagram and "register (3)" in diagram


def test_the_versions_table_names_the_project_version_first_and_never_the_lock() -> None:
    table = squash(section(README, "### Which version to bump"))
    assert "| the project version, `[project] version`" in table
    assert "`register-per-version = true`" in table and "never `harmony.lock`" in table
