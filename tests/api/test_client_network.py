"""The client on real sockets: proxies, and replies bounded in size and in time.

MockTransport cannot show these: a proxy is chosen, and a slow or endless reply is read,
below the transport. Every peer here is a `RawServer` on 127.0.0.1; the https case
never leaves the machine either, since the proxy it is sent to is one of them.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from hatch_harmony.api.client import DEADLINE_SECONDS, MAX_REPLY_BYTES, Credentials, HarmonyClient
from hatch_harmony.api.errors import MalformedReplyError, RegisterOutcomeUnknownError, TransportError
from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator
from tests.client_fakes import (
    EMAIL,
    PASSWORD,
    RawRequest,
    RawServer,
    http_reply,
    login_reply,
    registration_wire,
    send,
    trickle,
)

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
LOGIN = http_reply(200, login_reply().content)


@pytest.fixture
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def client_for(url: str, **options: float) -> HarmonyClient:
    return HarmonyClient(url, Credentials(EMAIL, PASSWORD), sleep=lambda _: None, **options)  # type: ignore[arg-type]


# --- proxies ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", PROXY_VARIABLES)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_urls_never_go_through_a_proxy(
    variable: str, host: str, emulator: Emulator, no_proxy_settings: pytest.MonkeyPatch
) -> None:
    """The login body (the password) must not travel in clear to whatever proxy the environment names."""
    with RawServer() as proxy:
        no_proxy_settings.setenv(variable, proxy.url)
        url = emulator.url.replace("127.0.0.1", host)
        with HarmonyClient(url, Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD)) as client:
            client.login()
            assert client.list_connectors() == []
        assert proxy.requests == []
    assert (emulator.counts()["login"], emulator.counts()["list"]) == (1, 1)


def test_https_hosts_reach_harmony_through_the_https_proxy_as_a_tunnel(
    no_proxy_settings: pytest.MonkeyPatch,
) -> None:
    """HTTPS_PROXY is honoured for https hosts: the proxy sees only CONNECT host:port, never the request."""
    with RawServer() as proxy:
        no_proxy_settings.setenv("HTTPS_PROXY", proxy.url)
        with (
            client_for("https://harmony.example.com", max_retries=0) as client,
            pytest.raises(TransportError) as caught,
        ):
            client.login()
    assert [request.line for request in proxy.requests] == ["CONNECT harmony.example.com:443 HTTP/1.1"]
    assert all(PASSWORD.encode() not in request.body for request in proxy.requests)
    assert PASSWORD not in str(caught.value)


# --- size -------------------------------------------------------------------------------------------


def endless(conn: socket.socket, request: RawRequest, stop: threading.Event) -> None:
    """A JSON reply that never ends: no Content-Length, 64 KiB after 64 KiB until the client hangs up."""
    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"x": "')
    chunk = b"a" * 65536
    while not stop.is_set():
        conn.sendall(chunk)


def test_an_endless_reply_stops_at_the_size_cap_with_bounded_memory() -> None:
    limit = 1 << 20
    tracemalloc.start()
    try:
        with (
            RawServer(send(LOGIN), endless) as server,
            client_for(server.url, max_reply_bytes=limit) as client,
        ):
            started = time.monotonic()
            with pytest.raises(MalformedReplyError) as caught:
                client.list_connectors()
            elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert "larger than 1 MiB" in message and "list the connectors" in message
    assert peak < 4 * limit, f"peak {peak} bytes"
    assert elapsed < 5


def test_the_default_cap_is_16_mib_and_a_larger_reply_is_refused() -> None:
    assert MAX_REPLY_BYTES == 16 * 1024 * 1024
    with RawServer(send(LOGIN), endless) as server, client_for(server.url) as client:
        started = time.monotonic()
        with pytest.raises(MalformedReplyError, match="larger than 16 MiB"):
            client.list_connectors()
        assert time.monotonic() - started < 10
    assert server.sent >= MAX_REPLY_BYTES


def test_a_reply_announcing_more_than_the_cap_is_refused_unread() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{"
    with (
        RawServer(send(LOGIN), send(head)) as server,
        client_for(server.url) as client,
        pytest.raises(MalformedReplyError, match="larger than 16 MiB"),
    ):
        client.list_connectors()
    assert len(server.requests) == 2  # not retried: the same reply would come again


def test_an_oversize_register_reply_is_outcome_unknown_and_never_resent() -> None:
    with (
        RawServer(send(LOGIN), endless) as server,
        client_for(server.url, max_reply_bytes=65536) as client,
        pytest.raises(RegisterOutcomeUnknownError, match="larger than 64 KiB"),
    ):
        client.register("Dropbox", "1.0.0")
    assert [r.line.split()[0] for r in server.requests] == ["PUT", "POST"]


# --- time ---------------------------------------------------------------------------------------------


def slow(raw: bytes, after: int) -> RawServer:
    return RawServer(trickle(raw, after=after, interval=0.05))


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_trickling_reply_fails_at_the_deadline(where: str) -> None:
    """One byte every 50 ms never trips the read timeout; the per-request deadline stops it."""
    after = LOGIN.index(b"\r\n\r\n") + 5 if where == "body" else 12
    with slow(LOGIN, after) as server, client_for(server.url, deadline=1.0) as client:
        started = time.monotonic()
        with pytest.raises(TransportError) as caught:
            client.login()
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.5, elapsed
    assert "no complete reply within the 1 s deadline" in str(caught.value)
    assert len(server.requests) == 1  # a slow server is not asked again


def test_a_trickling_reply_over_tls_fails_at_the_deadline(
    tmp_path: Path, no_proxy_settings: pytest.MonkeyPatch
) -> None:
    """The watchdog cuts a TLS connection as well (its socket is the TLS layer httpcore reports)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate for localhost")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    make = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    name = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        [*make, *name, "-keyout", str(key), "-out", str(cert)],
        capture_output=True,
        check=True,
    )
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    no_proxy_settings.setenv("SSL_CERT_FILE", str(cert))  # the client still verifies: trust this one
    with RawServer(send(LOGIN), trickle(LOGIN, after=12, interval=0.05), tls=tls) as server:
        with client_for(server.url, deadline=1.0) as client:
            assert client.login().default_org_id == "10001"  # positive control: TLS works
        with client_for(server.url, deadline=1.0) as client, pytest.raises(TransportError) as caught:
            started = time.monotonic()
            client.login()
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.5, elapsed
    assert "no complete reply within the 1 s deadline" in str(caught.value)


def test_a_register_past_the_deadline_is_outcome_unknown() -> None:
    reply = http_reply(200, json.dumps(registration_wire()).encode())
    with (
        RawServer(send(LOGIN), trickle(reply, after=30, interval=0.05)) as server,
        client_for(server.url, deadline=0.5) as client,
        pytest.raises(RegisterOutcomeUnknownError),
    ):
        client.register("Dropbox", "1.0.0")
    assert len(server.requests) == 2


def test_a_prompt_reply_is_not_affected_by_the_deadline() -> None:
    assert DEADLINE_SECONDS == 60
    with RawServer(send(LOGIN)) as server, client_for(server.url, deadline=1.0) as client:
        assert client.login().default_org_id == "10001"
