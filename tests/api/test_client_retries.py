"""Retry, no-retry and re-login rules, asserted as the exact request sequence and the exact delays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from hatch_harmony.api.client import HarmonyClient
from hatch_harmony.api.errors import (
    ApiError,
    AuthenticationError,
    MalformedReplyError,
    NotFoundError,
    RateLimitedError,
    RegisterOutcomeUnknownError,
    ServerError,
    TransportError,
)
from hatch_harmony.api.protocol import AUTH_HEADER, ErrorCode
from tests.client_fakes import (
    KEY,
    LIST,
    LOGIN,
    REGISTER,
    SECRET,
    TOKEN,
    TOKEN_2,
    VALIDATE,
    FakeHarmony,
    Recorder,
    delete_call,
    html,
    login_reply,
    make_client,
    ok,
    payload_call,
    refused,
    registration_wire,
)

LISTED = ok(registeredConnectorList=[])
REGISTERED = httpx.Response(200, json=registration_wire())


def unavailable(status: int = 503, **headers: str) -> httpx.Response:
    return refused(status, None, "try later", **headers)


def run(fake: FakeHarmony, call: Callable[[HarmonyClient], Any], **options: Any) -> tuple[Any, Recorder]:
    recorder = Recorder()
    with make_client(fake, recorder, **options) as client:
        return call(client), recorder


# --- connect failures: the request never left, so any call may repeat ---------------------------


@pytest.mark.parametrize("failure", [httpx.ConnectError, httpx.ConnectTimeout])
def test_connect_failures_are_retried_with_backoff(failure: type[Exception]) -> None:
    fake = FakeHarmony(failure, failure, login_reply(), LISTED)
    recorder = Recorder()
    with make_client(fake, recorder) as client:
        assert client.list_connectors() == []
        assert client.requests_made == 2  # the two failed attempts never reached a server
    assert fake.calls == [LOGIN, LOGIN, LOGIN, LIST]
    assert recorder.delays == [0.5, 1.0]


def test_connect_failures_on_register_are_retried_too() -> None:
    fake = FakeHarmony(login_reply(), httpx.ConnectError, REGISTERED)
    registration, recorder = run(fake, lambda c: c.register("Dropbox", "1.0.0"))
    assert registration.key == KEY
    assert fake.calls == [LOGIN, REGISTER, REGISTER]
    assert recorder.delays == [0.5]


def test_connect_failures_stop_after_max_retries() -> None:
    fake = FakeHarmony(*[httpx.ConnectTimeout] * 4)
    recorder = Recorder()
    with make_client(fake, recorder) as client, pytest.raises(TransportError) as caught:
        client.login()
    assert fake.calls == [LOGIN] * 4
    assert recorder.delays == [0.5, 1.0, 2.0]
    message = str(caught.value)
    assert "Could not connect to https://harmony.example.com" in message
    assert "connect timed out after 10 s" in message
    assert "in 4 attempts" in message


def test_backoff_is_capped_by_max_retry_after() -> None:
    fake = FakeHarmony(*[httpx.ConnectError] * 6)
    recorder = Recorder()
    with (
        make_client(fake, recorder, max_retries=5, max_retry_after=1.5) as client,
        pytest.raises(TransportError),
    ):
        client.login()
    assert recorder.delays == [0.5, 1.0, 1.5, 1.5, 1.5]


def test_max_retries_zero_means_one_attempt() -> None:
    fake = FakeHarmony(httpx.ConnectError)
    recorder = Recorder()
    with (
        make_client(fake, recorder, max_retries=0) as client,
        pytest.raises(TransportError, match="in 1 attempt"),
    ):
        client.login()
    assert recorder.delays == []


# --- 429 / 502 / 503 / 504 on calls that are safe to repeat -------------------------------------

SAFE_CALLS = [
    pytest.param(lambda c: c.list_connectors(), LIST, LISTED, id="list"),
    pytest.param(lambda c: c.validate("Dropbox", KEY, SECRET), VALIDATE, ok(), id="validate"),
    pytest.param(lambda c: c.delete_registration("4471"), delete_call("4471"), ok(), id="delete"),
    pytest.param(lambda c: c.delete_payload("4471"), payload_call("4471"), ok(), id="delete_payload"),
]


@pytest.mark.parametrize(("call", "wire", "success"), SAFE_CALLS)
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_safe_calls_repeat_on_retryable_statuses(
    call: Callable[[HarmonyClient], Any], wire: tuple[str, str], success: httpx.Response, status: int
) -> None:
    fake = FakeHarmony(
        login_reply(), unavailable(status, **{"Retry-After": "3"}), unavailable(status), success
    )
    _, recorder = run(fake, call)
    assert fake.calls == [LOGIN, wire, wire, wire]
    assert recorder.delays == [3.0, 1.0]  # Retry-After first, then the backoff of the second retry


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_login_repeats_on_retryable_statuses(status: int) -> None:
    fake = FakeHarmony(html(status, "Service Unavailable"), login_reply())
    session, recorder = run(fake, lambda c: c.login())
    assert session.token == TOKEN
    assert fake.calls == [LOGIN, LOGIN]
    assert recorder.delays == [0.5]


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [
        ("7", 7.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("3600", 30.0),  # capped at max_retry_after
        ("Wed, 21 Oct 2099 07:28:00 GMT", 30.0),  # an HTTP date far ahead: capped
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past: no wait
        ("soon", 0.5),  # unreadable: the backoff
        ("-4", 0.0),
    ],
)
def test_retry_after_is_honoured_and_capped(retry_after: str, delay: float) -> None:
    fake = FakeHarmony(login_reply(), unavailable(503, **{"Retry-After": retry_after}), LISTED)
    _, recorder = run(fake, lambda c: c.list_connectors())
    assert recorder.delays == [delay]


def test_a_custom_cap_on_retry_after() -> None:
    fake = FakeHarmony(login_reply(), unavailable(429, **{"Retry-After": "120"}), LISTED)
    _, recorder = run(fake, lambda c: c.list_connectors(), max_retry_after=5.0)
    assert recorder.delays == [5.0]


def test_503_stops_after_max_retries_with_a_server_error() -> None:
    fake = FakeHarmony(login_reply(), *[html(503, "Service Unavailable")] * 4)
    recorder = Recorder()
    with make_client(fake, recorder) as client, pytest.raises(ServerError) as caught:
        client.list_connectors()
    assert fake.calls == [LOGIN] + [LIST] * 4
    assert recorder.delays == [0.5, 1.0, 2.0]
    assert "HTTP 503 (text/html, page title 'Service Unavailable') in 4 attempts" in str(caught.value)
    assert caught.value.http_status == 503


def test_429_stops_after_max_retries_with_rate_limited() -> None:
    fake = FakeHarmony(login_reply(), *[unavailable(429, **{"Retry-After": "2"})] * 3)
    recorder = Recorder()
    with make_client(fake, recorder, max_retries=2) as client, pytest.raises(RateLimitedError) as caught:
        client.list_connectors()
    assert fake.calls == [LOGIN] + [LIST] * 3
    assert recorder.delays == [2.0, 2.0]
    assert "in 3 attempts" in str(caught.value)


def test_a_dropped_connection_is_retried_for_safe_calls() -> None:
    fake = FakeHarmony(login_reply(), httpx.RemoteProtocolError, httpx.ReadError, LISTED)
    _, recorder = run(fake, lambda c: c.list_connectors())
    assert fake.calls == [LOGIN, LIST, LIST, LIST]
    assert recorder.delays == [0.5, 1.0]


def test_a_read_timeout_is_not_retried_even_for_safe_calls() -> None:
    """The server is slow: repeating would multiply the wait. It says which timeout fired."""
    fake = FakeHarmony(login_reply(), httpx.ReadTimeout)
    recorder = Recorder()
    with make_client(fake, recorder, read_timeout=45) as client, pytest.raises(TransportError) as caught:
        client.list_connectors()
    assert fake.calls == [LOGIN, LIST]
    assert recorder.delays == []
    assert "read timeout" in str(caught.value)
    assert "45 s" in str(caught.value)
    assert "https://harmony.example.com" in str(caught.value)


# --- register: never resent once it may have reached the server ---------------------------------


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (httpx.ReadTimeout, "read timeout"),
        (httpx.WriteTimeout, "read timeout"),
        (httpx.RemoteProtocolError, "connection dropped"),
        (httpx.ReadError, "connection dropped"),
        (refused(500, ErrorCode.INTERNAL, "boom"), "HTTP 500"),
        (html(502), "HTTP 502"),
        (unavailable(503, **{"Retry-After": "1"}), "HTTP 503"),
        (unavailable(504), "HTTP 504"),
        (html(200, "Welcome"), "not JSON"),
        (httpx.Response(200, content=b'{"status": true, "key": "6d09'), "not JSON"),
        (httpx.Response(200, json=registration_wire(secret=None)), "'secret'"),
        (httpx.Response(200), "'id'"),
        (httpx.Response(303, headers={"Location": "https://harmony.example.com/x"}), "redirect"),
    ],
)
def test_register_is_never_resent_when_it_may_have_been_processed(reply: Any, words: str) -> None:
    fake = FakeHarmony(login_reply(), reply)
    recorder = Recorder()
    with make_client(fake, recorder) as client, pytest.raises(RegisterOutcomeUnknownError) as caught:
        client.register("Dropbox", "1.0.0")
    assert fake.calls == [LOGIN, REGISTER]  # exactly one register request
    assert fake.done
    assert recorder.delays == []
    message = str(caught.value)
    assert words in message
    assert "may or may not have registered" in message
    assert "was not sent again" in message
    assert "Look the connector up before registering again" in message
    assert caught.value.operation == "register"


def test_register_repeats_a_429_because_it_was_not_processed() -> None:
    fake = FakeHarmony(login_reply(), unavailable(429, **{"Retry-After": "4"}), REGISTERED)
    registration, recorder = run(fake, lambda c: c.register("Dropbox", "1.0.0"))
    assert registration.id == "4471"
    assert fake.calls == [LOGIN, REGISTER, REGISTER]
    assert recorder.delays == [4.0]


def test_register_429_exhausted_is_a_definite_refusal() -> None:
    fake = FakeHarmony(login_reply(), *[unavailable(429)] * 2)
    recorder = Recorder()
    with make_client(fake, recorder, max_retries=1) as client, pytest.raises(RateLimitedError):
        client.register("Dropbox", "1.0.0")
    assert fake.calls == [LOGIN, REGISTER, REGISTER]


# --- 401: log in again once, repeat once ---------------------------------------------------------


@pytest.mark.parametrize(
    "expired",
    [
        refused(401, ErrorCode.INVALID_TOKEN, "The session has expired: log in again."),
        refused(200, ErrorCode.INVALID_TOKEN, "Invalid authentication token"),
        httpx.Response(401),
        html(401, "Unauthorized"),
    ],
)
def test_a_refused_token_means_one_fresh_login_and_one_repeat(expired: httpx.Response) -> None:
    fake = FakeHarmony(login_reply(), expired, login_reply(token=TOKEN_2), LISTED)
    _, recorder = run(fake, lambda c: c.list_connectors())
    assert fake.calls == [LOGIN, LIST, LOGIN, LIST]
    assert [r.headers.get(AUTH_HEADER) for r in fake.requests] == [None, TOKEN, None, TOKEN_2]
    assert recorder.delays == []


def test_register_is_repeated_after_a_401_since_a_401_was_not_processed() -> None:
    fake = FakeHarmony(
        login_reply(),
        refused(401, ErrorCode.INVALID_TOKEN, "expired"),
        login_reply(token=TOKEN_2),
        REGISTERED,
    )
    registration, _ = run(fake, lambda c: c.register("Dropbox", "1.0.0"))
    assert registration.id == "4471"
    assert fake.calls == [LOGIN, REGISTER, LOGIN, REGISTER]


def test_a_token_refused_twice_is_an_authentication_error() -> None:
    fake = FakeHarmony(
        login_reply(),
        refused(401, ErrorCode.INVALID_TOKEN, "no"),
        login_reply(token=TOKEN_2),
        refused(401, ErrorCode.INVALID_TOKEN, "still no"),
    )
    with make_client(fake) as client, pytest.raises(AuthenticationError) as caught:
        client.register("Dropbox", "1.0.0")
    assert fake.calls == [LOGIN, REGISTER, LOGIN, REGISTER]
    assert fake.done
    assert "even after logging in again" in str(caught.value)
    assert not isinstance(caught.value, RegisterOutcomeUnknownError)


def test_a_failing_fresh_login_is_reported_as_such() -> None:
    fake = FakeHarmony(
        login_reply(),
        refused(401, ErrorCode.INVALID_TOKEN, "expired"),
        refused(401, ErrorCode.INVALID_CREDENTIALS, "Password changed"),
    )
    with make_client(fake) as client, pytest.raises(AuthenticationError, match="wrong email or password"):
        client.list_connectors()
    assert fake.calls == [LOGIN, LIST, LOGIN]


def test_a_refused_login_is_never_repeated() -> None:
    fake = FakeHarmony(refused(401, ErrorCode.INVALID_CREDENTIALS, "bad"))
    with make_client(fake) as client, pytest.raises(AuthenticationError):
        client.list_connectors()
    assert fake.calls == [LOGIN]


# --- a delete repeated after an attempt that may have been processed -------------------------------


@pytest.mark.parametrize(
    ("method", "wire"),
    [("delete_registration", delete_call("4471")), ("delete_payload", payload_call("4471"))],
)
@pytest.mark.parametrize("first", [httpx.RemoteProtocolError, unavailable(502), unavailable(504)])
def test_not_found_after_a_possibly_processed_delete_counts_as_deleted(
    method: str, wire: tuple[str, str], first: Any
) -> None:
    fake = FakeHarmony(login_reply(), first, refused(404, ErrorCode.CONNECTOR_NOT_FOUND, "gone"))
    run(fake, lambda c: getattr(c, method)("4471"))
    assert fake.calls == [LOGIN, wire, wire]


@pytest.mark.parametrize("first", [httpx.ConnectError, unavailable(429)])
def test_not_found_after_an_unprocessed_attempt_is_still_not_found(first: Any) -> None:
    fake = FakeHarmony(login_reply(), first, refused(404, ErrorCode.CONNECTOR_NOT_FOUND, "gone"))
    with make_client(fake) as client, pytest.raises(NotFoundError):
        client.delete_registration("4471")
    assert fake.calls == [LOGIN, delete_call("4471"), delete_call("4471")]


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (refused(500, ErrorCode.INTERNAL, "boom"), ServerError),
        (html(200, "Hello"), MalformedReplyError),
        (refused(400, ErrorCode.BAD_REQUEST, "bad"), ApiError),
    ],
)
def test_definite_failures_are_not_retried(reply: httpx.Response, error_type: type[ApiError]) -> None:
    fake = FakeHarmony(login_reply(), reply)
    recorder = Recorder()
    with make_client(fake, recorder) as client, pytest.raises(error_type):
        client.list_connectors()
    assert fake.calls == [LOGIN, LIST]
    assert recorder.delays == []


def test_retries_are_logged_as_warnings(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeHarmony(login_reply(), unavailable(503, **{"Retry-After": "2"}), LISTED)
    with caplog.at_level("WARNING", logger="hatch_harmony.client"):
        run(fake, lambda c: c.list_connectors())
    messages = [r.getMessage() for r in caplog.records if r.name == "hatch_harmony.client"]
    assert messages == ["retrying list after HTTP 503, waiting 2.0 s (retry 1 of 3)"]
