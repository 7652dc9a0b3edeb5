"""A scripted Harmony for the client's unit tests (httpx.MockTransport, no sockets).

Each test lists the replies Harmony gives, in order, and afterwards asserts the exact
sequence of requests the client sent. A reply is an `httpx.Response`, or an httpx
exception class, raised as if the network failed at that point.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from hatch_harmony import protocol
from hatch_harmony.client import Credentials, HarmonyClient

# Canary secrets: no test output, log record, repr or exception text may contain them.
EMAIL = "builder@example.com"
PASSWORD = "canary-PASSWORD-4f1e9"
TOKEN = "canary-TOKEN-8b2c7"
TOKEN_2 = "canary-TOKEN-second-3d5a1"
KEY = "canary-KEY-6d093654"
SECRET = "canary-SECRET-3673e11b"
CANARIES = (PASSWORD, TOKEN, TOKEN_2, KEY, SECRET)

ORG = "10001"
HOST = "https://harmony.example.com"
BASE = HOST + protocol.BASE_PATH

Reply = httpx.Response | type[Exception]


def login_reply(token: str = TOKEN, **changes: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "status": True,
        "operation": "User login",
        "authenticationToken": token,
        "defaultOrgId": ORG,
        "orgAttrs": [{"orgId": ORG, "orgName": "Acme Dev", "orgZoneUrl": "https://na-east.jitterbit.com"}],
        "sessionTimeoutInSeconds": 14400,
        "serverUrl": "https://na-east.jitterbit.com",
    }
    body.update(changes)
    return httpx.Response(200, json={k: v for k, v in body.items() if v is not None})


def ok(operation: str = "done", **fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": True, "operation": operation, **fields})


def refused(http_status: int, code: str | None, message: str = "refused", **headers: str) -> httpx.Response:
    body: dict[str, Any] = {"status": False, "operation": "op", "errorMessage": message}
    if code is not None:
        body["errorCode"] = code
    return httpx.Response(http_status, json=body, headers=headers)


def html(http_status: int, title: str = "502 Bad Gateway", **headers: str) -> httpx.Response:
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return httpx.Response(
        http_status, content=page.encode(), headers={"Content-Type": "text/html", **headers}
    )


def registration_wire(**changes: Any) -> dict[str, Any]:
    """The documented register reply (connector-manager-api.txt), with canary key/secret."""
    body: dict[str, Any] = {
        "status": True,
        "operation": "Register a connector",
        "id": "4471",
        "key": KEY,
        "secret": SECRET,
        "endpointEntityId": "2370701",
        "functionEntityStartId": "2370702",
        "functionEntityEndId": "2370800",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


class FakeHarmony:
    """The MockTransport handler: plays the scripted replies and records every request."""

    def __init__(self, *replies: Reply) -> None:
        self.replies: list[Reply] = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        reply = self.replies.pop(0)
        if isinstance(reply, httpx.Response):
            return reply
        raise reply("scripted failure", request=request)  # type: ignore[call-arg]

    @property
    def calls(self) -> list[tuple[str, str]]:
        """(method, path below the API base path) of every request, in order."""
        prefix = protocol.BASE_PATH
        return [(r.method, r.url.path.removeprefix(prefix)) for r in self.requests]

    def body(self, index: int) -> Any:
        return json.loads(self.requests[index].content)

    @property
    def done(self) -> bool:
        return not self.replies


class Recorder:
    """A fake `sleep` (and clock): records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 1000.0

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make_client(
    fake: FakeHarmony,
    recorder: Recorder | None = None,
    *,
    url: str = HOST,
    **options: Any,
) -> HarmonyClient:
    recorder = recorder or Recorder()
    return HarmonyClient(
        url,
        Credentials(EMAIL, PASSWORD),
        transport=httpx.MockTransport(fake),
        sleep=recorder.sleep,
        clock=recorder.clock,
        **options,
    )


LOGIN = ("PUT", "user/login")
LIST = ("GET", f"orgs/{ORG}/connector")
REGISTER = ("POST", f"orgs/{ORG}/connector")
VALIDATE = ("PUT", f"orgs/{ORG}/connector/validate/securityinfo")


def delete_call(connector_id: str) -> tuple[str, str]:
    return ("DELETE", f"orgs/{ORG}/connector/{connector_id}")


def payload_call(connector_id: str) -> tuple[str, str]:
    return ("DELETE", f"orgs/{ORG}/connector/{connector_id}/sdk/delete")


Call = Callable[[HarmonyClient], object]
