"""`hatch-harmony deploy`: the connector jar onto the agents' folders, exactly one per connector.

Harmony has no API that uploads connector jars: a private agent loads every `*.jar` of
its connector folder (`/opt/jitterbit/Connectors` on Linux, `/mnt/connectors` in a Docker
agent), and the last step of a release is copying the jar there, on every agent of the
group. This package does that step so that it cannot go half wrong:

- `source`: which jar (the one built for the environment), refused before anything is copied
  when it is missing, holds placeholders or belongs to another registration;
- `jars`: what a jar is to an agent (connector, `Version`, digest), read from its manifest;
- `folders`: the folder's few operations (write and flush under an ignored name, rename),
  locally; `ssh`: the same through the system's OpenSSH client;
- `plan`: per destination, copy / skip / refuse / roll back, and the order of steps that
  keeps exactly one jar of the connector loaded at every moment;
- `run`: every destination in turn (an agent group), restart;
- `watch`: the development loop (`--watch`): rebuild with a development `Version`, deploy, repeat.
"""

from __future__ import annotations

from hatch_harmony.deploy.jars import ConnectorJar
from hatch_harmony.deploy.plan import Plan
from hatch_harmony.deploy.run import RELOAD_NOTICE, Options, deploy, succeeded
from hatch_harmony.deploy.source import DeployError, Source, environment_jar

__all__ = [
    "RELOAD_NOTICE",
    "ConnectorJar",
    "DeployError",
    "Options",
    "Plan",
    "Source",
    "deploy",
    "environment_jar",
    "succeeded",
]
