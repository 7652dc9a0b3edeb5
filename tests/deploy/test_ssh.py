"""`hatch-harmony deploy` to ssh:// destinations: a real sshd on loopback, reached through the system's
`ssh` with a test key, a test known_hosts and a test client config (`-F`, via HARMONY_SSH_COMMAND)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.agent import digests, one_jar_each
from tests.deploy.conftest import NAME, Built
from tests.deploy.helpers import OTHER, agent_folder, deploy, killed_deploy
from tests.deploy.sshd import ALIAS, Sshd, running_sshd, sshd_path

SSHD = sshd_path()
pytestmark = pytest.mark.skipif(
    SSHD is None, reason="OpenSSH's sshd is not installed (Debian: apt-get install openssh-server)"
)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    assert SSHD is not None
    with running_sshd(SSHD, tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def ssh_env(sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> Sshd:
    monkeypatch.setenv("HARMONY_SSH_COMMAND", sshd.ssh_command)
    return sshd


def test_an_agent_group_over_ssh_gets_one_jar_each_and_a_rerun_needs_nothing(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], ssh_env: Sshd
) -> None:
    """One agent by its ~/.ssh/config alias, one by user@host:port: the same sshd, two folders."""
    first = agent_folder(tmp_path / "one", built.dev)
    second = tmp_path / "two"
    second.mkdir()
    by_alias = f"ssh://{ALIAS}{first}"
    by_port = f"ssh://{ssh_env.user}@127.0.0.1:{ssh_env.port}{second}"
    project = built.copy(
        tmp_path / "acme", built.dev_next, hook_lines=f'deploy = ["{by_alias}", "{by_port}"]\n'
    )
    code, document, err = deploy(capsys, project)
    assert code == 0, err
    assert [(r["destination"], r["action"], r["status"]) for r in document["destinations"]] == [
        (by_alias, "copy", "done"),
        (by_port, "copy", "done"),
    ]
    assert one_jar_each(first) == {NAME: built.dev_next.name, "Other Connector": OTHER.name}
    assert one_jar_each(second) == {NAME: built.dev_next.name}
    assert (second / built.dev_next.name).read_bytes() == built.dev_next.data
    assert (first / f"{built.dev.name}.retired").read_bytes() == built.dev.data
    assert not list(first.glob(".*.tmp")) + list(second.glob(".*.tmp"))

    before = digests(first), digests(second)
    code, document, _ = deploy(capsys, project)
    assert code == 0 and [r["action"] for r in document["destinations"]] == ["skip", "skip"]
    assert (digests(first), digests(second)) == before


def test_rollback_dry_run_and_restart_over_ssh(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], ssh_env: Sshd
) -> None:
    folder = agent_folder(tmp_path, built.dev)
    marker = tmp_path / "restarted"
    project = built.copy(
        tmp_path / "acme", built.dev_next, hook_lines=f'restart-command = "touch {marker}"\n'
    )
    destination = f"ssh://{ALIAS}{folder}"

    before = digests(folder)
    code, document, _ = deploy(capsys, project, "--to", destination, "--dry-run")
    assert code == 0 and document["destinations"][0]["status"] == "planned"
    assert digests(folder) == before and not marker.exists()

    code, document, err = deploy(capsys, project, "--to", destination, "--restart")
    assert code == 0, err
    assert marker.exists()  # restart-command ran on the agent's host
    assert one_jar_each(folder)[NAME] == built.dev_next.name

    code, document, err = deploy(capsys, project, "--to", destination, "--rollback")
    assert code == 0, err
    assert one_jar_each(folder)[NAME] == built.dev.name
    assert (folder / built.dev.name).read_bytes() == built.dev.data
    assert sorted(p.name for p in folder.glob("*.retired")) == [f"{built.dev_next.name}.retired"]


def test_an_unreachable_agent_fails_alone_with_sshs_message(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], ssh_env: Sshd
) -> None:
    folder = tmp_path / "agent"
    folder.mkdir()
    closed = f"ssh://{ssh_env.user}@127.0.0.1:1{folder}"  # port 1: nothing listens
    project = built.copy(tmp_path / "acme", built.dev)
    code, document, _ = deploy(capsys, project, "--to", closed, "--to", f"ssh://{ALIAS}{folder}")
    assert code == 1
    failed, done = document["destinations"]
    assert failed["status"] == "failed" and "cannot list the folder" in failed["error"]
    assert "Connection refused" in failed["error"] or "port 1" in failed["error"]
    assert done["status"] == "done"
    assert one_jar_each(folder) == {NAME: built.dev.name}


@pytest.mark.parametrize(("stop_at", "loaded_after"), [("write:1", "old"), ("rename:2", "new")])
def test_an_interrupted_ssh_deploy_leaves_one_jar_loaded_and_a_rerun_finishes(
    built: Built,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ssh_env: Sshd,
    *,
    stop_at: str,
    loaded_after: str,
) -> None:
    project = built.copy(tmp_path / "acme", built.dev_next)
    folder = agent_folder(tmp_path, built.dev)
    args = ("--project", str(project), "--env", "dev", "--to", f"ssh://{ALIAS}{folder}")
    killed = killed_deploy(
        "hatch_harmony.deploy.ssh.SshFolder", stop_at, *args, HARMONY_SSH_COMMAND=ssh_env.ssh_command
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    expected = built.dev.data if loaded_after == "old" else built.dev_next.data
    assert (folder / one_jar_each(folder)[NAME]).read_bytes() == expected

    code, _, err = deploy(capsys, project, "--to", f"ssh://{ALIAS}{folder}")
    assert code == 0, err
    assert one_jar_each(folder) == {NAME: built.dev_next.name, "Other Connector": OTHER.name}
    assert not list(folder.glob(".*.tmp"))
