"""The emulator as a running HTTP server: `Emulator`, started in a thread, stopped cleanly.

Standard library only (`http.server.ThreadingHTTPServer`): the emulator ships inside the
plugin, which must not grow dependencies for a demo and test tool, and one thread per
connection is plenty for a local peer. HTTP/1.1 with keep-alive, like Harmony, so clients
reuse connections; `stop()` also closes idle keep-alive connections, so a stopped emulator
really stops answering.

Quiet by design: every request is logged at INFO on `hatch_harmony.emulator` (method, path,
status; never a header or a body, so never a token, password, key or secret), which prints
nothing unless a handler is configured (the CLI configures one).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hatch_harmony.api.protocol import ErrorCode, Registration, is_loopback
from hatch_harmony.emulator import admin, api
from hatch_harmony.emulator.faults import Controls, Fault, merge_patch
from hatch_harmony.emulator.state import DEFAULT_ORG_ID, State, User, default_users
from hatch_harmony.emulator.store import Connector
from hatch_harmony.emulator.variations import REDIRECT_STATUS, Variations
from hatch_harmony.errors import ConfigError, HarmonyError

_log = logging.getLogger("hatch_harmony.emulator")

MAX_BODY = 1 << 20  # requests of this API are tiny; refuse anything absurd
DRAIN_LIMIT = 16 * MAX_BODY  # oversized bodies up to this are read before the 413, so clients see it


is_loopback_host = is_loopback  # the emulator's historical name


class EmulatorError(HarmonyError):
    """The emulator cannot start (address in use, permission denied)."""


class Emulator:
    """A local Connector Manager API on `url`; a context manager that starts and stops it.

    Test controls (fail_next, counts, ...) always work in-process; over HTTP under
    `/__emulator__/` only with `test_controls=True` (see `admin.py`).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        users: Sequence[User] | None = None,
        data_file: Path | None = None,
        session_timeout: int = 14400,
        test_controls: bool = False,
        allow_remote: bool = False,
        clock: Callable[[], float] = time.monotonic,
        variations: Variations | None = None,
    ) -> None:
        if not allow_remote and not is_loopback_host(host):
            raise ConfigError(
                f"refusing to listen on {host}: the emulator binds loopback addresses only "
                "(127.0.0.1, ::1, localhost); pass --allow-remote (allow_remote=True) to expose it."
            )
        if not 0 <= port <= 65535:
            raise ConfigError(f"--port {port} is not a TCP port (0-65535; 0 picks a free one).")
        if session_timeout < 1:
            raise ConfigError(f"--session-timeout {session_timeout} must be at least 1 second.")
        self.host = host.strip("[]")
        self.test_controls = test_controls
        self.users: tuple[User, ...] = tuple(default_users() if users is None else users)
        self.data_file = data_file
        self.variations = variations or Variations()
        self.state = State(
            self.users,
            session_timeout=session_timeout,
            clock=clock,
            data_file=data_file,
            variations=self.variations,
        )
        self.controls = Controls()
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server_class = _Server6 if ":" in self.host else _Server
        try:
            server = server_class((self.host, self._requested_port), _Handler)
        except OSError as exc:
            raise EmulatorError(
                f"the emulator cannot listen on {self.host}:{self._requested_port} ({exc.strerror}); "
                "choose another --port (0 picks a free one)."
            ) from exc
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="harmony-emulator", daemon=True
        )
        self._thread.start()
        _log.info("emulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            return self._requested_port
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """`http://HOST:PORT`, the host root (clients add the API's base path)."""
        if self._server is None:
            raise RuntimeError("start() the emulator before asking for its URL")
        host = str(self._server.server_address[0])
        if ipaddress.ip_address(host).is_unspecified:  # 0.0.0.0 / ::, reachable here on loopback
            host = "::1" if ":" in host else "127.0.0.1"
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    # --- inspection ------------------------------------------------------------------------

    def registrations(self, org_id: str = DEFAULT_ORG_ID) -> list[Registration]:
        """Live registrations of an organisation, oldest first (keys and secrets included)."""
        return [c.registration for c in self.state.connectors(org_id)]

    def connectors(self, org_id: str | None = None) -> list[Connector]:
        """Registrations with their flags (in use, payload cached)."""
        return self.state.connectors(org_id)

    def payload_cached(self, connector_id: str) -> bool:
        return any(c.registration.id == connector_id and c.payload_cached for c in self.state.connectors())

    def counts(self) -> dict[str, int]:
        """Requests per route (faults.ROUTES, plus "other") since start or the last reset."""
        return self.controls.counts()

    # --- test controls ---------------------------------------------------------------------

    def reset_counts(self) -> None:
        self.controls.reset_counts()

    def set_in_use(self, connector_id: str, in_use: bool = True) -> None:
        """Mark a connector as used by a project: both deletes are then refused. KeyError if unknown."""
        self.state.set_in_use(connector_id, in_use)

    def fail_next(
        self,
        n: int,
        status: int,
        *,
        route: str | None = None,
        retry_after: float | None = None,
        body: bytes | None = None,
    ) -> None:
        """The next `n` requests (to `route`, or any) get `status` and are NOT processed.

        The reply is a JSON error, or `body` verbatim (an HTML page, truncated JSON, even a
        `"status": false` reply with status 200); `retry_after` adds a Retry-After header.
        """
        self.controls.fail_next(n, status, route=route, retry_after=retry_after, body=body)

    def drop_after_register(self, n: int = 1) -> None:
        """The next `n` successful registers are committed, then the socket closes with no reply."""
        self.controls.drop_after_register(n)

    def set_latency(self, seconds: float) -> None:
        """Delay every API request (not the controls) by `seconds`."""
        self.controls.set_latency(seconds)

    def hold_next(self, route: str, *, others: int = 1, timeout: float = 5.0) -> None:
        """Hold the next reply of `route`, computed when its request arrives, until `others` more
        requests to `route` arrived (or `timeout` s): both of two racing builds see the old state."""
        self.controls.hold_next(route, others=others, timeout=timeout)

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (401 INVALID_AUTH_TOKEN)."""
        self.state.expire_tokens()

    def override_next(self, route: str, patch: Mapping[str, Any]) -> None:
        """Merge `patch` (RFC 7386: None removes a key) into the next successful reply of `route`.

        For bad-reply tests: a CR/LF in a key, ids out of range or of the wrong type. The state
        is unchanged; only the reply lies.
        """
        self.controls.override_next(route, patch)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanishes mid-request is routine here (tests drop sockets on purpose)."""
        _log.debug("connection from %s ended abruptly", client_address[0], exc_info=True)

    def track(self, connection: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hatch-harmony-emulator"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body leave in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        _log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    # --- one request -----------------------------------------------------------------------

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
            if body is None:
                return
            self._answer(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away; nothing to answer
        except Exception:
            _log.exception("emulator bug while answering %s %s", self.command, self.path.partition("?")[0])
            self.close_connection = True
            self._send_json(500, api.error_reply("other", 500, ErrorCode.INTERNAL, "Emulator error.").payload)

    def _answer(self, body: bytes) -> None:
        emulator = self.server.emulator
        path, _, query = self.path.partition("?")
        if emulator.test_controls and path.startswith(admin.PREFIX):
            status, payload = admin.handle(emulator, self.command, path, query, body)
            self._send_json(status, payload)
            return
        location, routed = emulator.variations.redirect(self.path)
        route = api.route_of(self.command, routed.partition("?")[0])
        emulator.controls.count(route.name)
        if location is not None and route.name != "other":  # the `redirect_to` variation
            self._send_json(REDIRECT_STATUS, {}, {"Location": location})
            return
        latency = emulator.controls.latency
        if latency:
            time.sleep(latency)
        fault = emulator.controls.take_fault(route.name)
        if fault is not None:
            self._send_fault(route.name, fault)
            return
        reply = api.handle(
            emulator.state, route, self.command, headers=self.headers, body=body, server_url=emulator.url
        )
        if route.name == "register" and reply.ok and emulator.controls.take_drop():
            _log.info("register committed; dropping the connection without a reply (test control)")
            self.close_connection = True
            return
        payload = reply.payload
        if reply.ok:
            patch = emulator.controls.take_override(route.name)
            if patch is not None:
                payload = merge_patch(payload, patch)
        hold = emulator.controls.take_hold(route.name)
        if hold is not None:
            emulator.controls.wait(hold)
        self._send_json(reply.status, payload, reply.headers)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a framing error (connection then closed)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length") or "0"
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if length < 0:
            self._refuse_framing(400, "Invalid Content-Length.")
            return None
        if length > MAX_BODY:
            # Read (and drop) a moderately oversized body before refusing: replying while the
            # client is still sending resets the connection, and the client would see a broken
            # pipe instead of the 413. Absurd lengths are refused without reading.
            if length <= DRAIN_LIMIT:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self._refuse_framing(413, "The request body is too large.")
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                self._refuse_framing(400, "Invalid chunked encoding.")
                return None
            total += size
            if total > MAX_BODY:
                self._refuse_framing(413, "The request body is too large.")
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _refuse_framing(self, status: int, message: str) -> None:
        self.close_connection = True
        self._send_json(status, api.error_reply("other", status, ErrorCode.BAD_REQUEST, message).payload)

    def _send_fault(self, route: str, fault: Fault) -> None:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if fault.body is not None:
            kind = "text/html; charset=utf-8" if fault.body.lstrip().startswith(b"<") else "application/json"
            self._send(fault.status, fault.body, kind, headers)
            return
        if fault.status >= 500:
            code, message = ErrorCode.INTERNAL, "Injected server error (emulator test control)."
        elif fault.status == 429:
            code, message = "TOO_MANY_REQUESTS", "Too many requests (emulator test control)."
        else:
            code, message = ErrorCode.BAD_REQUEST, "Injected failure (emulator test control)."
        payload = api.error_reply(route, fault.status, code, message).payload
        self._send_json(fault.status, payload, headers)

    def _send_json(
        self, status: int, payload: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        body = json.dumps(payload).encode("utf-8")
        self._send(status, body, "application/json", headers or {})

    def _send(self, status: int, body: bytes, content_type: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
