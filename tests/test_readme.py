"""The README tells the truth: its test command is CI's, its CLI reference is the CLI's, its workflow runs."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from hatch_harmony.cli import build_parser

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


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = [block.strip() for block in fenced("sh") if "pytest" in block]
    assert commands == ['python -m pip install -e ".[test]" && python -m pytest']
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[0] in ci


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
    assert any(run.startswith("hatch build -t jar") for run in runs)
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
