"""The test controls over HTTP, under `/__emulator__/`, for tests that drive a build in a subprocess.

Answered only when the emulator runs with `test_controls=True` (`--test-controls`); otherwise
these paths are unknown (404), so a demo emulator cannot be steered by whoever reaches it.
`registrations` shows keys and secrets: this is a test tool and the values are the emulator's own.

| request | body (JSON) |
|---|---|
| `GET counts` | - |
| `POST reset-counts` | - |
| `POST fail-next` | `{"n": 1, "status": 503, "route": "list", "retry_after": 1, "body": "<html>..."}` |
| `POST drop-after-register` | `{"n": 1}` (optional) |
| `POST latency` | `{"seconds": 0.05}` |
| `POST hold-next` | `{"route": "list", "others": 1, "timeout": 5}` |
| `POST expire-tokens` | - |
| `POST in-use` | `{"connector_id": "4471", "in_use": true}` |
| `POST override-next` | `{"route": "register", "patch": {"key": "bad\\r\\nvalue"}}` |
| `GET registrations?org=10001` | - |
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import parse_qs

from hatch_harmony.emulator.state import DEFAULT_ORG_ID
from hatch_harmony.emulator.store import Connector

PREFIX = "/__emulator__/"

Result = tuple[int, dict[str, Any]]


class Controlled(Protocol):
    """What the controls steer: the methods of `server.Emulator` they call (server imports this module)."""

    def counts(self) -> dict[str, int]: ...
    def reset_counts(self) -> None: ...
    def fail_next(
        self, n: int, status: int, *, route: str | None, retry_after: float | None, body: bytes | None
    ) -> None: ...
    def drop_after_register(self, n: int) -> None: ...
    def set_latency(self, seconds: float) -> None: ...
    def expire_tokens(self) -> None: ...
    def hold_next(self, route: str, *, others: int, timeout: float) -> None: ...
    def set_in_use(self, connector_id: str, in_use: bool) -> None: ...
    def override_next(self, route: str, patch: Mapping[str, Any]) -> None: ...
    def connectors(self, org_id: str | None) -> list[Connector]: ...


class _BadControl(ValueError):
    pass


def handle(emulator: Controlled, method: str, path: str, query: str, body: bytes) -> Result:
    """(HTTP status, JSON reply) for one control request."""
    name = path[len(PREFIX) :]
    entry = _CONTROLS.get(name)
    if entry is None:
        return 404, {"status": False, "errorMessage": f"no test control {name!r}"}
    expected, action = entry
    if method != expected:
        return 405, {"status": False, "errorMessage": f"use {expected} for {name}"}
    try:
        data = _body(body)
        return 200, {"status": True, **action(emulator, data, parse_qs(query))}
    except (_BadControl, ValueError, KeyError, TypeError) as exc:
        return 400, {"status": False, "errorMessage": str(exc.args[0]) if exc.args else repr(exc)}


def _body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _BadControl("the body is not JSON") from None
    if not isinstance(data, dict):
        raise _BadControl("the body must be a JSON object")
    return data


def _number(data: dict[str, Any], key: str, default: float | None = None) -> float | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _BadControl(f"{key!r} must be a number")
    return float(value)


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadControl(f"{key!r} must be an integer")
    return value


def _counts(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    return {"counts": emulator.counts()}


def _reset_counts(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    emulator.reset_counts()
    return {}


def _fail_next(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    route = data.get("route")
    body = data.get("body")
    if route is not None and not isinstance(route, str):
        raise _BadControl("'route' must be a string")
    if body is not None and not isinstance(body, str):
        raise _BadControl("'body' must be a string")
    emulator.fail_next(
        _int(data, "n", 1),
        _int(data, "status"),
        route=route,
        retry_after=_number(data, "retry_after"),
        body=None if body is None else body.encode("utf-8"),
    )
    return {}


def _drop(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    emulator.drop_after_register(_int(data, "n", 1))
    return {}


def _latency(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    emulator.set_latency(_number(data, "seconds") or 0.0)
    return {}


def _hold(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    route = data.get("route")
    if not isinstance(route, str):
        raise _BadControl("'route' must be a string")
    emulator.hold_next(route, others=_int(data, "others", 1), timeout=_number(data, "timeout", 5.0) or 0.0)
    return {}


def _expire(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    emulator.expire_tokens()
    return {}


def _in_use(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    connector_id = data.get("connector_id")
    in_use = data.get("in_use", True)
    if not isinstance(connector_id, str) or not isinstance(in_use, bool):
        raise _BadControl('expected {"connector_id": "<id>", "in_use": true|false}')
    emulator.set_in_use(connector_id, in_use)
    return {}


def _override(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    route, patch = data.get("route"), data.get("patch")
    if not isinstance(route, str) or not isinstance(patch, dict):
        raise _BadControl('expected {"route": "<route>", "patch": {...}}')
    emulator.override_next(route, patch)
    return {}


def _registrations(emulator: Controlled, data: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    org_id = query.get("org", [DEFAULT_ORG_ID])[0]
    return {
        "orgId": org_id,
        "registrations": [
            {**c.registration.to_wire(), "inUse": c.in_use, "payloadCached": c.payload_cached}
            for c in emulator.connectors(org_id)
        ],
    }


_Action = Callable[[Controlled, dict[str, Any], dict[str, list[str]]], dict[str, Any]]
_CONTROLS: dict[str, tuple[str, _Action]] = {
    "counts": ("GET", _counts),
    "reset-counts": ("POST", _reset_counts),
    "fail-next": ("POST", _fail_next),
    "drop-after-register": ("POST", _drop),
    "latency": ("POST", _latency),
    "hold-next": ("POST", _hold),
    "expire-tokens": ("POST", _expire),
    "in-use": ("POST", _in_use),
    "override-next": ("POST", _override),
    "registrations": ("GET", _registrations),
}
