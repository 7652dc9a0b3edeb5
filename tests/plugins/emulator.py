"""Fixtures for tests that need a Connector Manager API peer: a fresh emulator per test.

Function-scoped on purpose: request counts are part of the contract (DESIGN.md), and a
fresh emulator (port 0, in-process, test controls on) starts in milliseconds, so no test
sees another test's registrations or counters.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hatch_harmony.api.protocol import AUTH_HEADER, BASE_PATH, LOGIN_PATH, connectors_path
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator


def harmony_env(emulator: Emulator) -> dict[str, str]:
    """The variables a build (or a subprocess) needs to reach `emulator` as the demo user."""
    return {"HARMONY_URL": emulator.url, "HARMONY_EMAIL": DEFAULT_EMAIL, "HARMONY_PASSWORD": DEFAULT_PASSWORD}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A started emulator with test controls (also over HTTP, for subprocess builds)."""
    with Emulator(test_controls=True) as running:
        yield running


@pytest.fixture
def emulator_env(emulator: Emulator) -> dict[str, str]:
    """`harmony_env(emulator)`: HARMONY_URL, HARMONY_EMAIL, HARMONY_PASSWORD for the demo user."""
    return harmony_env(emulator)


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class RawApi:
    """The documented requests in our own words, over plain `http.client` (no client code under test).

    One connection per request, so a test controls exactly what goes on the wire.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
        raw_path: bool = False,
    ) -> Response:
        """`path` is relative to the API's base path unless `raw_path`; dict/list bodies become JSON."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = dict(headers or {})
        if content_type is not None:
            sent["Content-Type"] = content_type
        if token is not None:
            sent[AUTH_HEADER] = token
        if data is not None:
            sent["Content-Length"] = str(len(data))
        conn = http.client.HTTPConnection("127.0.0.1", self.emulator.port, timeout=30)
        try:
            conn.request(method, path if raw_path else BASE_PATH + path, body=data, headers=sent)
            reply = conn.getresponse()
            return Response(reply.status, reply.headers, reply.read())
        finally:
            conn.close()

    def login(self, email: str = DEFAULT_EMAIL, password: str = DEFAULT_PASSWORD) -> str:
        reply = self.request("PUT", LOGIN_PATH, {"email": email, "password": password})
        assert reply.status == 200, reply.body
        token = reply.json()["authenticationToken"]
        assert isinstance(token, str)
        return token

    def register(self, token: str, name: str = "Dropbox", version: str = "1.0.0") -> dict[str, Any]:
        body = {"name": name, "version": version}
        reply = self.request("POST", connectors_path(DEFAULT_ORG_ID), body, token=token)
        assert reply.status == 200, reply.body
        data = reply.json()
        assert isinstance(data, dict) and data["status"] is True
        return data


@pytest.fixture
def api(emulator: Emulator) -> RawApi:
    return RawApi(emulator)
