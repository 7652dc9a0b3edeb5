"""A scripted Harmony for the client's unit tests (httpx.MockTransport, no sockets).

Each test lists the replies Harmony gives, in order, and afterwards asserts the exact
sequence of requests the client sent. A reply is an `httpx.Response`, or an httpx
exception class, raised as if the network failed at that point.

`RawServer` is the same idea on a real socket (127.0.0.1), for what happens below the
transport: which proxy is contacted, and replies that trickle or never end.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from hatch_harmony.api import protocol
from hatch_harmony.api.client import Credentials, HarmonyClient

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


# --- a real peer on 127.0.0.1, for what MockTransport cannot show (sockets, proxies, slow replies) ----


@dataclass
class RawRequest:
    """One request as it arrived on the socket: the request line, lower-cased headers, the body."""

    line: str
    headers: dict[str, str]
    body: bytes


#: Writes one reply (any bytes, at any pace) on the socket; the connection closes afterwards.
Script = Callable[[socket.socket, RawRequest, threading.Event], None]


def http_reply(status: int, body: bytes = b"", *, headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 reply that closes the connection."""
    head = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
    lines = [f"HTTP/1.1 {status} X", *(f"{k}: {v}" for k, v in head.items()), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send(raw: bytes) -> Script:
    def script(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
        conn.sendall(raw)

    return script


def trickle(raw: bytes, *, after: int, interval: float) -> Script:
    """The first `after` bytes at once, then one byte every `interval` seconds."""

    def script(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
        conn.sendall(raw[:after])
        for index in range(after, len(raw)):
            if stop.wait(interval):
                return
            conn.sendall(raw[index : index + 1])

    return script


class RawServer:
    """An HTTP/1.1 peer on 127.0.0.1: each connection's request is recorded and answered by the next script.

    With no script left, a connection is recorded and answered 502 (a proxy that refuses,
    or a peer the test did not expect to be asked). `sent` counts the bytes written.
    """

    def __init__(self, *scripts: Script, tls: ssl.SSLContext | None = None) -> None:
        self.scripts = list(scripts)
        self._tls = tls
        self.requests: list[RawRequest] = []
        self.sent = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._workers: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}" if self._tls else f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        for worker in [self._thread, *self._workers]:
            worker.join(timeout=5)

    def _serve(self) -> None:
        self._listener.settimeout(0.05)  # closing a listener does not wake a blocked accept()
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            worker = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            self._workers.append(worker)
            worker.start()

    def _answer(self, conn: socket.socket) -> None:
        if self._tls is not None:
            try:
                conn = self._tls.wrap_socket(conn, server_side=True)
            except OSError:
                conn.close()
                return
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            line, *fields = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (f.partition(":") for f in fields)}
            while len(body) < int(headers.get("content-length", "0")):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            request = RawRequest(line, headers, body)
            self.requests.append(request)
            script = self.scripts.pop(0) if self.scripts else send(http_reply(502))
            counting = _Counting(conn, self)
            with contextlib.suppress(OSError):  # the client hung up: what some tests wait for
                script(counting, request, self._stop)  # type: ignore[arg-type]


class _Counting:
    """A socket stand-in that counts what a script sends."""

    def __init__(self, conn: socket.socket, server: RawServer) -> None:
        self._conn = conn
        self._server = server

    def sendall(self, data: bytes) -> None:
        self._conn.sendall(data)
        self._server.sent += len(data)
