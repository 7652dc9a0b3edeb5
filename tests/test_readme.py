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

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def squash(text: str) -> str:
    return " ".join(text.split())


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


def development_tree() -> list[tuple[str, str]]:
    """(path, rule) of each line of the Development section's tree; a package's line is its __init__.py."""
    section = README.split("\n## Development\n", 1)[1]
    blocks = re.findall(r"^```\n(.*?)^```", section, flags=re.S | re.M)
    [block] = [b for b in blocks if b.startswith("hatch_harmony/")]
    entries: list[tuple[str, str]] = []
    parents: list[str] = []
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name, _, rule = line.strip().partition(" ")
        del parents[depth:]
        parents.append(name)
        path = "".join(parents)
        entries.append((path + "__init__.py" if path.endswith("/") else path, rule.strip()))
    return entries


def test_the_development_tree_is_the_package() -> None:
    """README's tree lists every module of hatch_harmony/ once, each with its rule: it cannot drift."""
    listed = [path for path, _ in development_tree()]
    actual = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "hatch_harmony").rglob("*.py"))
    twice = sorted({path for path in listed if listed.count(path) > 1})
    assert twice == [], f"listed more than once in README's Development tree: {twice}"
    missing, stale = sorted(set(actual) - set(listed)), sorted(set(listed) - set(actual))
    assert (missing, stale) == ([], []), (
        f"README's Development tree: add {missing} (one line each, with the module's rule); remove {stale}"
    )
    assert [path for path, rule in development_tree() if not rule] == [], "a line without its rule"
    assert "docs/architecture.md" in README.split("\n## Development\n", 1)[1]


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_to_a_readme_section_finds_its_heading() -> None:
    outside = re.sub(r"^```.*?^```", "", README, flags=re.S | re.M)  # a `#` line in code is no heading
    anchors = {github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", outside, flags=re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", README)
    assert "a-connectors-life" in anchors and "checking-a-setup-hatch-harmony-doctor" in anchors
    assert links, "the README links its sections"
    assert sorted(set(links) - anchors) == []
