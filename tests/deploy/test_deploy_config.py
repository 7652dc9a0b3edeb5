"""The `deploy`, `restart` and `restart-command` options: checked with the others, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from hatch_harmony.config import HOOK_TABLE, load_config
from hatch_harmony.config.destinations import DEFAULT_RESTART_COMMAND, Destination, parse_destination
from hatch_harmony.errors import ConfigError


def test_an_environment_table_replaces_the_base_destinations(tmp_path: Path) -> None:
    table = {
        "deploy": ["/opt/jitterbit/Connectors"],
        "environments": {
            "prod": {"deploy": ["ssh://builder@agent1:2222/opt/jitterbit/Connectors"], "restart": True}
        },
    }
    dev = load_config(table, tmp_path, {})
    assert [d.path for d in dev.deploy] == ["/opt/jitterbit/Connectors"]
    assert (dev.restart, dev.restart_command) == (False, DEFAULT_RESTART_COMMAND)
    prod = load_config(table, tmp_path, {}, environment="prod")
    (agent,) = prod.deploy
    assert (agent.user, agent.host, agent.port, agent.path) == (
        "builder",
        "agent1",
        2222,
        "/opt/jitterbit/Connectors",
    )
    assert prod.restart


def test_every_bad_destination_is_reported_at_once_with_its_toml_path(tmp_path: Path) -> None:
    table = {
        "deploy": ["connectors", 3, "/srv/a", "/srv/a"],
        "restart-command": "",
        "environments": {
            "prod": {"deploy": "ssh://agent/opt/c", "restart": "yes"},
            "qa": {
                "deploy": [
                    "ssh://u:hunter2@agent/opt/c",
                    "ssh://agent",
                    "ftp://agent/x",
                    "ssh://agent:99999/x",
                ]
            },
        },
    }
    with pytest.raises(ConfigError) as caught:
        load_config(table, tmp_path, {})
    message = caught.value.message
    assert "hunter2" not in message
    wheres = [line.split(": ", 1)[0].strip(" -") for line in message.splitlines()[1:]]
    assert wheres == [
        f"{HOOK_TABLE}.deploy[0]",
        f"{HOOK_TABLE}.deploy[1]",
        f"{HOOK_TABLE}.deploy[3]",
        f"{HOOK_TABLE}.restart-command",
        f"{HOOK_TABLE}.environments.prod.deploy",
        f"{HOOK_TABLE}.environments.prod.restart",
        *(f"{HOOK_TABLE}.environments.qa.deploy[{i}]" for i in range(4)),
    ]
    for expected in (
        "is a relative path",
        "repeats '/srv/a'",
        "expected an array of destinations, got a string",
        "restart = true (no quotes)",
        "holds a password; never write one",
        "needs the agent's folder as an absolute path",
        "names a scheme other than ssh://",
        "not a number from 1 to 65535",
    ):
        assert expected in message, expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/mnt/connectors", Destination("/mnt/connectors", "/mnt/connectors")),
        ("~/agent/Connectors", Destination("~/agent/Connectors", "~/agent/Connectors")),
        (
            "ssh://agent2.example.com/opt/c",
            Destination("ssh://agent2.example.com/opt/c", "/opt/c", "agent2.example.com"),
        ),
        (
            "ssh://me@[::1]:2200/opt/c",
            Destination("ssh://me@[::1]:2200/opt/c", "/opt/c", "[::1]", "me", 2200),
        ),
    ],
)
def test_destinations_parse(text: str, expected: Destination) -> None:
    assert parse_destination(text) == expected


def test_an_ipv6_agent_is_given_to_ssh_without_brackets() -> None:
    parsed = parse_destination("ssh://me@[::1]:2200/opt/c")
    assert isinstance(parsed, Destination) and parsed.ssh_target == "me@::1"
