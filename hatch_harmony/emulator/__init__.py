"""A local Connector Manager API emulator: the demo's default peer, CI's, and every integration test's.

It is an emulator, not Harmony: it implements the documented calls (log in, register, list,
delete registration, delete payload, validate) under the documented base path with the
documented replies, keeps its state in memory or in a data file (the command's default on a
fixed port: the user's data folder, `util.data_dir`), and adds test controls (request
counters, injected failures) that Harmony does not have.

Modules: `state` (the rules, no HTTP), `store` (the `--data` file), `api` (routes and
replies), `faults` (counters and injected failures), `admin` (controls over HTTP),
`server` (the `Emulator` HTTP server), `cli` (the command line).
"""

from __future__ import annotations

from hatch_harmony.emulator.command import DEFAULT_PORT, add_arguments, main, run
from hatch_harmony.emulator.faults import ROUTES
from hatch_harmony.emulator.server import Emulator, EmulatorError, is_loopback_host
from hatch_harmony.emulator.state import (
    DEFAULT_EMAIL,
    DEFAULT_ORG_ID,
    DEFAULT_PASSWORD,
    SSO_EMAIL,
    TFA_EMAIL,
    User,
)

__all__ = [
    "DEFAULT_EMAIL",
    "DEFAULT_ORG_ID",
    "DEFAULT_PASSWORD",
    "DEFAULT_PORT",
    "ROUTES",
    "SSO_EMAIL",
    "TFA_EMAIL",
    "Emulator",
    "EmulatorError",
    "User",
    "add_arguments",
    "is_loopback_host",
    "main",
    "run",
]
