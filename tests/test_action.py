"""action.yml, run as a GitHub runner would run it, against the emulator.

The runner is simulated: each `run` step of the composite action is a bash script (GitHub's own
`bash --noprofile --norc -eo pipefail`) with the runner's files (GITHUB_OUTPUT, GITHUB_ENV,
GITHUB_STEP_SUMMARY, each fresh per step and read back after it, GITHUB_ENV's lines reaching the
later steps), its variables (GITHUB_ACTION_PATH is this checkout, RUNNER_TEMP a temporary folder)
and the step's `env:` and `working-directory:` with their `${{ inputs.* }}` expressions evaluated.
Two steps are the runner's business, not the action's logic, and are replaced by this venv: the
`actions/setup-python` step and the `pip install` of hatch and hatch-harmony (this venv has both).
Everything else runs for real: hatch-harmony's wheel is built from this checkout with build
isolation, and the connector's jar is built by `hatch build -t jar` in an isolated environment that
finds hatch-harmony in that wheel folder and hatchling in tests/package_index.py's index on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator
from tests.artifacts import emulator_secrets
from tests.deploy.agent import one_jar_each
from tests.deploy.conftest import Jar, connector_jar
from tests.deploy.sshd import ALIAS, running_sshd, sshd_path
from tests.package_index import build_index, isolated_env, serve
from tests.promises.test_frontends import SAMPLE, make_connector

ROOT = Path(__file__).resolve().parents[1]
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
INSTALL_STEP = "Install hatch and hatch-harmony"
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")

BASH = pytest.mark.skipif(sys.platform == "win32", reason="the simulated runner runs bash steps")


def test_action_shape() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "environment",
        "python-version",
        "working-directory",
        "verify",
        "destinations",
    }
    assert set(ACTION["outputs"]) == {"jar", "connector-id", "requests", "deployed"}
    steps = ACTION["runs"]["steps"]
    assert steps[0]["name"].startswith("Mask")  # before anything else can print a secret
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts as INPUT_* variables, never pasted into the script (no injection)
            assert "${{" not in step["run"], step["run"]
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert "secrets." not in text  # credentials come from the job's environment only


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    base = tmp_path_factory.mktemp("action-index")
    with serve(build_index(base)) as url:
        yield base, url


class Run:
    """One simulated job step by step: what the runner collected."""

    def __init__(self) -> None:
        self.outputs: dict[str, dict[str, str]] = {}
        self.env: dict[str, str] = {}
        self.summary = ""
        self.log = ""
        self.files = b""  # every GITHUB_OUTPUT/ENV/STEP_SUMMARY file, as written
        self.returncode = 0


def read_key_values(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def run_action(workspace: Path, temp: Path, env: dict[str, str], inputs: dict[str, str]) -> Run:
    given = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | inputs

    def evaluate(value: str, step_outputs: dict[str, dict[str, str]] | None = None) -> str:
        def one(match: re.Match[str]) -> str:
            parts = match.group(1).split(".")
            if parts[0] == "inputs":
                return given[parts[1]]
            assert parts[0] == "steps" and parts[2] == "outputs" and step_outputs is not None, match.group(0)
            return step_outputs.get(parts[1], {}).get(parts[3], "")

        return EXPRESSION.sub(one, str(value))

    run = Run()
    for number, step in enumerate(ACTION["runs"]["steps"]):
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@")  # the runner: this venv's Python
            continue
        if step["name"] == INSTALL_STEP:
            assert "HATCH_HARMONY_WHEEL" in run.env  # the wheel it would install was built
            continue
        files = {
            name: temp / f"{name}.{number}" for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")
        }
        for path in files.values():
            path.write_text("", encoding="utf-8")
        step_env = {
            **env,
            **run.env,
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            **{name: str(path) for name, path in files.items()},
            **{name: evaluate(value) for name, value in step.get("env", {}).items()},
        }
        script = temp / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        cwd = workspace / evaluate(step.get("working-directory", "."))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        run.log += f"--- {step['name']}\n{done.stdout}{done.stderr}"
        for path in files.values():
            run.files += path.read_bytes()
        run.env.update(read_key_values(files["GITHUB_ENV"].read_text(encoding="utf-8")))
        run.summary += files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")
        if "id" in step:
            run.outputs[step["id"]] = read_key_values(files["GITHUB_OUTPUT"].read_text(encoding="utf-8"))
        if done.returncode != 0:
            run.returncode = done.returncode
            return run
    run.outputs["action"] = {
        name: evaluate(spec["value"], run.outputs) for name, spec in ACTION["outputs"].items()
    }
    return run


def shown_log(run: Run) -> str:
    """The log as the runner shows it: `::add-mask::` lines are commands it consumes."""
    return "\n".join(line for line in run.log.splitlines() if not line.startswith("::add-mask::"))


def assert_no_secret(emulator: Emulator, run: Run, *more: str) -> None:
    secrets = [*emulator_secrets(emulator), *(value.encode() for value in more)]
    for secret in secrets:
        assert secret not in shown_log(run).encode()
        assert secret not in run.files
        assert secret not in run.summary.encode()


@BASH
def test_first_release_registers_then_a_fresh_ci_checkout_builds_offline(
    tmp_path: Path, emulator: Emulator, index: tuple[Path, str]
) -> None:
    base, url = index
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    project = make_connector(workspace / "connector")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = isolated_env(
        base,
        url,
        HARMONY_URL=emulator.url,
        HARMONY_EMAIL=DEFAULT_EMAIL,
        HARMONY_PASSWORD=DEFAULT_PASSWORD,
    )
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])

    first = run_action(workspace, temp, env, {"working-directory": "connector"})
    assert first.returncode == 0, first.log
    [registration] = emulator.registrations(DEFAULT_ORG_ID)
    jar = project / "dist" / "dropbox-connector-3.0.2.jar"
    assert first.outputs["action"] == {
        "jar": str(jar),
        "connector-id": str(registration.id),
        "requests": "3",
        "deployed": "",
    }
    digest = hashlib.sha256(jar.read_bytes()).hexdigest()
    assert "**registered**" in first.summary and "| requests to Harmony | 3 |" in first.summary
    assert f"| connector id | {registration.id} |" in first.summary
    assert f"`{jar.name}`" in first.summary and f"`{digest}`" in first.summary
    assert re.search(r"\| activity ids \| `fetch` \d+, `put` \d+ \|", first.summary)
    assert sum(emulator.counts().values()) == 3
    assert_no_secret(emulator, first)

    # the release job of a fresh checkout: the committed lock, the key and secret from the secret store
    for generated in ("build", "dist"):
        subprocess.run(["rm", "-rf", str(project / generated)], check=True)
    ci_env = {k: v for k, v in env.items() if k not in ("HARMONY_EMAIL", "HARMONY_PASSWORD")}
    ci_env |= {
        "HARMONY_CONNECTOR_KEY": registration.key,
        "HARMONY_CONNECTOR_SECRET": registration.secret,
        "HARMONY_OFFLINE": "1",
    }
    second = run_action(workspace, temp, ci_env, {"working-directory": "connector"})
    assert second.returncode == 0, shown_log(second)
    assert second.outputs["action"] == {
        "jar": str(jar),
        "connector-id": str(registration.id),
        "requests": "0",
        "deployed": "",
    }
    assert "**offline**" in second.summary and "| requests to Harmony | 0 |" in second.summary
    assert sum(emulator.counts().values()) == 3  # no request at all
    masks = [line for line in second.log.splitlines() if line.startswith("::add-mask::")]
    assert masks == [f"::add-mask::{registration.key}", f"::add-mask::{registration.secret}"]
    assert second.log.index("::add-mask::") < second.log.index("--- Build hatch-harmony's wheel")
    assert_no_secret(emulator, second, registration.key, registration.secret)


def agents(tmp_path: Path, name: str, *jars: Jar) -> Path:
    """A stand-in agent's connector folder holding `jars`."""
    folder = tmp_path / name
    folder.mkdir()
    for jar in jars:
        (folder / jar.name).write_bytes(jar.data)
    return folder


@BASH
def test_destinations_get_the_built_jar_exactly_one_per_connector_and_a_refusal_fails_the_step(
    tmp_path: Path, emulator: Emulator, index: tuple[Path, str]
) -> None:
    base, url = index
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    prod = f'\n[tool.hatch.build.hooks.harmony.environments.prod]\norg-id = "{DEFAULT_ORG_ID}"\n'
    project = make_connector(workspace / "connector", toml=SAMPLE["toml"] + prod)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = isolated_env(
        base,
        url,
        HARMONY_URL=emulator.url,
        HARMONY_EMAIL=DEFAULT_EMAIL,
        HARMONY_PASSWORD=DEFAULT_PASSWORD,
    )
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    connector = "Jitterbit-Connector: true\nJitterbit-Connector-UI: adapter.json\n"
    released = connector_jar("dropbox-connector-3.0.1.jar", "Dropbox", connector + "Version: 3.0.1\n")
    other = connector_jar("other.jar", "Other", connector + "Version: 1.0.0\n")
    first_agent = agents(tmp_path, "agent-1", released, other)
    second_agent = agents(tmp_path, "agent-2")

    # a release: the action's block input, one destination per line
    destinations = f"{first_agent}\n{second_agent}\n"
    inputs = {"working-directory": "connector", "environment": "prod", "destinations": destinations}
    run = run_action(workspace, temp, env, inputs)

    assert run.returncode == 0, shown_log(run)
    jar = project / "dist" / "dropbox-connector-3.0.2-prod.jar"
    assert run.outputs["action"]["jar"] == str(jar)
    assert run.outputs["action"]["deployed"] == f"{first_agent} {second_agent}"
    # exactly one jar of the connector in each folder: the one just built; 3.0.1 retired, Other untouched
    assert one_jar_each(first_agent) == {"Dropbox": jar.name, "Other": "other.jar"}
    assert one_jar_each(second_agent) == {"Dropbox": jar.name}
    for folder in (first_agent, second_agent):
        assert (folder / jar.name).read_bytes() == jar.read_bytes()
    assert (first_agent / "dropbox-connector-3.0.1.jar.retired").read_bytes() == released.data
    assert (first_agent / "other.jar").read_bytes() == other.data
    assert (
        f"| `{first_agent}` | **copied** |" in run.summary
        and f"| `{second_agent}` | **copied** |" in run.summary
    )
    assert sum(emulator.counts().values()) == 3  # the build's registration; deploying asks Harmony nothing
    assert_no_secret(emulator, run)

    # the next run, space-separated: agent 1 already holds the jar; agent 3 holds another 3.0.2, which the
    # agent would never reload, so it is refused and the step fails, saying so per destination
    same_version = connector_jar("dropbox.jar", "Dropbox", connector + "Version: 3.0.2\n")
    third_agent = agents(tmp_path, "agent-3", same_version)
    inputs["destinations"] = f"{first_agent} {third_agent}"
    refused = run_action(workspace, temp, env, inputs)

    assert refused.returncode == 1, shown_log(refused)
    assert refused.outputs["build"]["deployed"] == str(first_agent)
    assert f"| `{first_agent}` | **unchanged** | already holds this jar" in refused.summary
    assert f"| `{third_agent}` | **refused** |" in refused.summary
    assert "::error title=hatch-harmony deploy::" in refused.log
    assert one_jar_each(third_agent) == {"Dropbox": same_version.name}
    assert (third_agent / same_version.name).read_bytes() == same_version.data
    assert one_jar_each(first_agent) == {"Dropbox": jar.name, "Other": "other.jar"}
    assert_no_secret(emulator, refused)

    # a destination deploy cannot use (a relative path) fails the step before any folder changes
    inputs["destinations"] = "agents/connectors"
    unusable = run_action(workspace, temp, env, inputs)
    assert unusable.returncode == 2, shown_log(unusable)
    assert unusable.outputs["build"]["deployed"] == ""
    assert "**not deployed**: --to agents/connectors:" in unusable.summary


@BASH
@pytest.mark.skipif(sshd_path() is None, reason="OpenSSH's sshd is not installed (Debian: openssh-server)")
def test_an_ssh_destination_goes_through_the_runners_ssh_with_the_jobs_ssh_command(
    tmp_path: Path, emulator: Emulator, index: tuple[Path, str]
) -> None:
    base, url = index
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    project = make_connector(workspace / "connector")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    folder = agents(tmp_path, "agent")
    sshd = sshd_path()
    assert sshd is not None
    with running_sshd(sshd, tmp_path / "sshd") as server:
        env = isolated_env(
            base,
            url,
            HARMONY_URL=emulator.url,
            HARMONY_EMAIL=DEFAULT_EMAIL,
            HARMONY_PASSWORD=DEFAULT_PASSWORD,
            HARMONY_SSH_COMMAND=server.ssh_command,  # the job's env: the agent's alias, key and known_hosts
        )
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
        destination = f"ssh://{ALIAS}{folder}"
        inputs = {"working-directory": "connector", "destinations": destination}
        run = run_action(workspace, temp, env, inputs)

    assert run.returncode == 0, shown_log(run)
    assert run.outputs["action"]["deployed"] == destination
    jar = project / "dist" / "dropbox-connector-3.0.2.jar"
    assert one_jar_each(folder) == {"Dropbox": jar.name}
    assert (folder / jar.name).read_bytes() == jar.read_bytes()
    assert f"| `{destination}` | **copied** |" in run.summary
