"""Secrets never leak (repr, str, exceptions, log records), and `import hatch_harmony` stays httpx-free."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hatch_harmony.api.client import Credentials, HarmonyClient, Session
from hatch_harmony.api.errors import ApiError
from hatch_harmony.api.protocol import ErrorCode
from tests.client_fakes import (
    CANARIES,
    EMAIL,
    KEY,
    PASSWORD,
    SECRET,
    TOKEN,
    TOKEN_2,
    FakeHarmony,
    html,
    login_reply,
    make_client,
    ok,
    refused,
    registration_wire,
)

# Harmony-shaped values the client never saw (a key and secret are UUIDs, a token 32 hex digits).
FOREIGN_KEY = "6d093654-d1a2-4b3c-8d4e-10cad6797d6e"
FOREIGN_TOKEN = "9F86D081884C7D659A2FEAA0C55AD015"
FOREIGN = (FOREIGN_KEY, FOREIGN_TOKEN)
# Server text echoing the secrets the client knows at that point, and Harmony-shaped ones it never saw.
ECHO_LOGIN = f"pw={PASSWORD} other={FOREIGN_KEY} t={FOREIGN_TOKEN}"
ECHO = f"pw={PASSWORD} token={TOKEN} other={FOREIGN_KEY} t={FOREIGN_TOKEN}"
ECHO_VALIDATE = f"{ECHO} key={KEY} secret={SECRET}"


def assert_clean(text: str) -> None:
    for canary in (*CANARIES, *FOREIGN):
        assert canary not in text


def test_reprs_hide_every_secret() -> None:
    fake = FakeHarmony(login_reply(), httpx.Response(200, json=registration_wire()))
    with make_client(fake) as client:
        session = client.login()
        registration = client.register("Dropbox", "1.0.0")
        for thing in (client, session, registration, Credentials(EMAIL, PASSWORD)):
            assert_clean(repr(thing))
            assert_clean(str(thing))
    assert EMAIL in repr(client)
    assert "default_org_id='10001'" in repr(session)
    assert repr(Session(TOKEN, "1", (), 60, "")).count("token") == 0


FLOWS: list[Any] = [
    pytest.param(
        [login_reply(), httpx.Response(200, json=registration_wire())],
        lambda c: c.register("Dropbox", "1.0.0"),
        id="register",
    ),
    pytest.param(
        [login_reply(), ok(registeredConnectorList=[registration_wire(name="Dropbox", version="1")])],
        lambda c: c.list_connectors(),
        id="list",
    ),
    pytest.param([login_reply(), ok()], lambda c: c.validate("Dropbox", KEY, SECRET), id="validate"),
    pytest.param(
        [login_reply(), refused(401, ErrorCode.INVALID_TOKEN, "x"), login_reply(token=TOKEN_2), ok()],
        lambda c: c.delete_registration("4471"),
        id="relogin-delete",
    ),
]


@pytest.mark.parametrize(("replies", "call"), FLOWS)
def test_debug_logs_redact_tokens_passwords_keys_and_secrets(
    replies: list[httpx.Response], call: Callable[[HarmonyClient], Any], caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeHarmony(*replies)
    with caplog.at_level(logging.DEBUG), make_client(fake) as client:
        call(client)
    records = [r for r in caplog.records if r.name == "hatch_harmony.client"]
    assert len([r for r in records if r.getMessage().startswith("request ")]) == len(fake.requests)
    assert len([r for r in records if r.getMessage().startswith("response ")]) == len(fake.requests)
    assert_clean(caplog.text)
    for record in caplog.records:
        assert_clean(record.getMessage())
        assert_clean(repr(record.args))
    text = caplog.text
    assert "'authToken': '***'" in text
    assert "PUT user/login" in text
    assert "-> 200 in" in text


@pytest.mark.parametrize(
    ("replies", "call"),
    [
        pytest.param(
            [refused(401, ErrorCode.INVALID_CREDENTIALS, ECHO_LOGIN)], lambda c: c.login(), id="login"
        ),
        pytest.param([refused(200, ErrorCode.TFA_REQUIRED, ECHO_LOGIN)], lambda c: c.login(), id="tfa"),
        pytest.param([login_reply(), html(404, ECHO)], lambda c: c.delete_registration("1"), id="html-404"),
        pytest.param(
            [login_reply(), refused(200, ErrorCode.INVALID_SECURITY_INFO, ECHO_VALIDATE)],
            lambda c: c.validate("Dropbox", KEY, SECRET),
            id="validate",
        ),
        pytest.param(
            [login_reply(), refused(409, ErrorCode.CONNECTOR_IN_USE, ECHO)],
            lambda c: c.delete_payload("4471"),
            id="in-use",
        ),
        pytest.param(
            [login_reply(), refused(500, "X", ECHO)], lambda c: c.register("D", "1"), id="register-500"
        ),
        pytest.param([login_reply(), refused(500, "X", ECHO)], lambda c: c.list_connectors(), id="list-500"),
        pytest.param(
            [login_reply(), html(200, ECHO_VALIDATE)], lambda c: c.validate("D", KEY, SECRET), id="html-title"
        ),
        pytest.param(
            [login_reply(), httpx.Response(200, content=f"echo {ECHO_VALIDATE}".encode())],
            lambda c: c.validate("D", KEY, SECRET),
            id="plain-text-echo",
        ),
        pytest.param(
            [login_reply(), refused(400, "X", ECHO_VALIDATE)],
            lambda c: c.validate("D", KEY, SECRET),
            id="rejected",
        ),
    ],
)
def test_server_text_echoing_secrets_is_scrubbed_from_errors_and_logs(
    replies: list[httpx.Response], call: Callable[[HarmonyClient], Any], caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeHarmony(*replies)
    with caplog.at_level(logging.DEBUG), make_client(fake) as client, pytest.raises(ApiError) as caught:
        call(client)
    error = caught.value
    assert_clean(str(error))
    assert_clean(repr(error))
    assert_clean(str(error.error_message))
    assert_clean(caplog.text)
    assert "***" in str(error)  # the server text is still shown, masked


def test_masking_keeps_ordinary_server_text_readable() -> None:
    text = "Connector 4471 in org 10001 is used by project Sync-2024 at https://x.example.com/jitterbit-cloud-restful-service/"
    fake = FakeHarmony(login_reply(), refused(409, ErrorCode.CONNECTOR_IN_USE, text))
    with make_client(fake) as client, pytest.raises(ApiError) as caught:
        client.delete_registration("4471")
    assert caught.value.error_message == text


def test_a_page_echoing_the_request_is_never_dumped_into_the_error() -> None:
    page = f"<html><body><pre>{{'password': '{PASSWORD}'}}</pre></body></html>"
    fake = FakeHarmony(httpx.Response(200, content=page.encode(), headers={"Content-Type": "text/html"}))
    with make_client(fake) as client, pytest.raises(ApiError) as caught:
        client.login()
    assert_clean(str(caught.value))
    assert "<pre>" not in str(caught.value)
    assert "text/html" in str(caught.value)


def test_transport_error_text_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"proxy said {PASSWORD}", request=request)

    client = HarmonyClient(
        "https://harmony.example.com",
        Credentials(EMAIL, PASSWORD),
        transport=httpx.MockTransport(handler),
        sleep=lambda _: None,
    )
    with caplog.at_level(logging.DEBUG), client, pytest.raises(ApiError) as caught:
        client.login()
    assert_clean(str(caught.value))
    assert_clean(caplog.text)


def test_importing_hatch_harmony_does_not_import_httpx() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import hatch_harmony, hatch_harmony.api.errors"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert "hatch_harmony.api.errors" in imported  # the check sees our own imports...
    assert not [name for name in imported if name.split(".")[0] in ("httpx", "httpcore")]  # ...and no httpx


def test_the_client_module_does_import_httpx() -> None:
    """The counterpart of the test above, so it cannot pass by never seeing httpx at all."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import hatch_harmony.api.client"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "httpx" in result.stderr


# --- every server string that reaches a message is scrubbed and capped ---------------

HUGE = "x" * 2_000_000
#: The longest any message may get, whatever the server sends (a 2 MB field made a 2 MB message).
MESSAGE_LIMIT = 2000
#: The README's bound on one server string inside a message.
SERVER_TEXT_LIMIT = 240


def status_reply(value: Any) -> httpx.Response:
    return login_reply(status=value)


@pytest.mark.parametrize(
    ("replies", "call"),
    [
        pytest.param([status_reply(PASSWORD)], lambda c: c.login(), id="login-status-is-the-password"),
        pytest.param([status_reply(HUGE + PASSWORD)], lambda c: c.login(), id="login-status-2mb"),
        pytest.param([status_reply({"pw": PASSWORD})], lambda c: c.login(), id="login-status-an-object"),
        pytest.param(
            [login_reply(), ok(status=f"{TOKEN} {HUGE}", registeredConnectorList=[])],
            lambda c: c.list_connectors(),
            id="list-status-holds-the-token",
        ),
        pytest.param(
            [login_reply(), refused(400, PASSWORD + HUGE, "refused")],
            lambda c: c.list_connectors(),
            id="error-code-holds-the-password",
        ),
        pytest.param(
            [login_reply(), *[refused(503, f"E_{TOKEN}", HUGE)] * 4],
            lambda c: c.list_connectors(),
            id="retried-5xx-code-holds-the-token",
        ),
        pytest.param(
            [login_reply(), refused(500, f"E_{TOKEN}", ECHO)],
            lambda c: c.register("D", "1"),
            id="register-5xx-code-holds-the-token",
        ),
        pytest.param(
            [
                login_reply(),
                httpx.Response(302, headers={"Location": f"https://x.example.net/{TOKEN}/{HUGE[:20000]}"}),
            ],
            lambda c: c.list_connectors(),
            id="redirect-location-holds-the-token",
        ),
        pytest.param(
            [httpx.Response(200, content=b"nope", headers={"Content-Type": f"{PASSWORD}/{HUGE}"})],
            lambda c: c.login(),
            id="content-type-holds-the-password",
        ),
    ],
)
def test_every_server_string_in_an_error_is_scrubbed_and_capped(
    replies: list[httpx.Response], call: Callable[[HarmonyClient], Any], caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeHarmony(*replies)
    with caplog.at_level(logging.DEBUG), make_client(fake) as client, pytest.raises(ApiError) as caught:
        call(client)
    error = caught.value
    for text in (str(error), repr(error), str(error.error_code), str(error.error_message)):
        assert_clean(text)
        assert len(text) < MESSAGE_LIMIT, len(text)
        # README: each server string is cut to one line of at most 240 characters (HUGE is all "x")
        assert max(map(len, re.findall("x{50,}", text)), default=0) <= SERVER_TEXT_LIMIT
    for text in (str(error.error_code or ""), str(error.error_message or "")):
        assert "\n" not in text and "\r" not in text and len(text) <= SERVER_TEXT_LIMIT
    assert_clean(caplog.text)
    assert all(len(record.getMessage()) < 3 * MESSAGE_LIMIT for record in caplog.records)


def test_session_text_from_harmony_is_scrubbed_and_capped() -> None:
    """Org names and URLs of a login reply are shown by `login`: no secret, no 2 MB line."""
    attrs = [
        {"orgId": "10001", "orgName": f"Acme {PASSWORD} {HUGE}", "orgZoneUrl": f"https://{TOKEN}.example"}
    ]
    fake = FakeHarmony(login_reply(orgAttrs=attrs, serverUrl=f"https://na.example/{PASSWORD}\n{HUGE}"))
    with make_client(fake) as client:
        session = client.login()
    [org] = session.orgs
    for text in (org.name, org.zone_url, session.server_url):
        assert_clean(text)
        assert len(text) <= 240
        assert "\n" not in text
    assert org.name.startswith("Acme ***")
