"""Session cookies (transport.py): kept for one session, sent back only to the host that set them.

The documented API needs only the authToken header; a server behind a session-pinning load
balancer also needs the cookie its login set (the emulator's `session_cookie` variation,
test_server_variations.py). The promises: in memory only, same host only, gone at the next
login, never in a log record or a message.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from hatch_harmony.api.errors import ApiError
from hatch_harmony.api.protocol import ErrorCode
from tests.client_fakes import CANARIES, FakeHarmony, login_reply, make_client, ok, refused

COOKIE = "cnry-cookie-7f3a91"


def with_cookie(reply: httpx.Response, cookie: str) -> httpx.Response:
    reply.headers["Set-Cookie"] = cookie
    return reply


def cookies_sent(fake: FakeHarmony) -> list[str | None]:
    return [request.headers.get("Cookie") for request in fake.requests]


def test_the_login_cookie_goes_back_with_every_call_of_that_session() -> None:
    login = with_cookie(login_reply(), f"JSESSIONID={COOKIE}; Path=/; HttpOnly; Secure")
    fake = FakeHarmony(login, ok(registeredConnectorList=[]), ok(registeredConnectorList=[]))
    with make_client(fake) as client:
        client.list_connectors()
        client.list_connectors()
    assert cookies_sent(fake) == [None, f"JSESSIONID={COOKIE}", f"JSESSIONID={COOKIE}"]


def test_a_cookie_that_would_widen_to_other_hosts_is_refused() -> None:
    """harmony.example.com may not set a cookie for every *.example.com host."""
    login = with_cookie(login_reply(), "AWSALB=wide-1; Domain=example.com; Path=/")
    fake = FakeHarmony(login, ok(registeredConnectorList=[]))
    with make_client(fake) as client:
        client.list_connectors()
    assert cookies_sent(fake) == [None, None]


def test_a_secure_cookie_never_travels_over_plain_http() -> None:
    login = with_cookie(login_reply(), f"JSESSIONID={COOKIE}; Path=/; Secure")
    fake = FakeHarmony(login, ok(registeredConnectorList=[]))
    with make_client(fake, url="http://127.0.0.1:8765") as client:
        client.list_connectors()
    assert cookies_sent(fake) == [None, None]


def test_a_new_login_starts_without_the_last_sessions_cookies() -> None:
    """After a refused token, the re-login must not carry the stale session's cookie."""
    first = with_cookie(login_reply(), f"JSESSIONID={COOKIE}; Path=/")
    second = with_cookie(login_reply(token="canary-TOKEN-second-3d5a1"), "JSESSIONID=fresh-2; Path=/")
    fake = FakeHarmony(
        first,
        refused(401, ErrorCode.INVALID_TOKEN, "expired"),
        second,
        ok(registeredConnectorList=[]),
    )
    with make_client(fake) as client:
        client.list_connectors()
    assert cookies_sent(fake) == [None, f"JSESSIONID={COOKIE}", None, "JSESSIONID=fresh-2"]


def test_cookies_stay_out_of_logs_and_messages(caplog: pytest.LogCaptureFixture) -> None:
    login = with_cookie(login_reply(), f"JSESSIONID={COOKIE}; Path=/")
    echo = refused(400, ErrorCode.BAD_REQUEST, f"bad session JSESSIONID={COOKIE}")
    fake = FakeHarmony(login, echo)
    caplog.set_level(logging.DEBUG)
    with make_client(fake) as client, pytest.raises(ApiError) as caught:
        client.list_connectors()
    assert "JSESSIONID=***" in str(caught.value)
    shown = caplog.text + str(caught.value) + repr(client)
    assert COOKIE not in shown
    assert "Set-Cookie" not in caplog.text
    assert not any(canary in shown for canary in CANARIES)


def test_each_client_keeps_its_own_cookies() -> None:
    """In memory, per client: nothing carries a session cookie to the next run."""
    fake = FakeHarmony(
        with_cookie(login_reply(), f"JSESSIONID={COOKIE}; Path=/"), ok(registeredConnectorList=[])
    )
    with make_client(fake) as client:
        client.list_connectors()
    later = FakeHarmony(login_reply(), ok(registeredConnectorList=[]))
    with make_client(later) as client:
        client.list_connectors()
    assert cookies_sent(later) == [None, None]
