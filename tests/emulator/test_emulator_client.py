"""The real client against the running emulator over loopback HTTP: every call, every error.

Where test_client*.py checks the client against hand-written replies (MockTransport), this
checks that the two edges really agree on the wire: paths, headers, bodies, statuses,
error codes, and the retry and no-resend rules with real sockets.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hatch_harmony.api.client import Credentials, HarmonyClient
from hatch_harmony.api.errors import (
    ApiError,
    AuthenticationError,
    ConnectorInUseError,
    InvalidSecurityInfoError,
    LoginRefusedError,
    MalformedReplyError,
    NotFoundError,
    RateLimitedError,
    RegisterOutcomeUnknownError,
    RequestRejectedError,
    ServerError,
    TransportError,
)
from hatch_harmony.api.protocol import ErrorCode
from hatch_harmony.emulator import (
    DEFAULT_EMAIL,
    DEFAULT_ORG_ID,
    DEFAULT_PASSWORD,
    SSO_EMAIL,
    TFA_EMAIL,
    Emulator,
    User,
)

CANARY = "canary-pw-4b1d"


class Harness:
    """A client on the emulator with a fake sleep that records the delays it was asked for."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.delays: list[float] = []
        self.clients: list[HarmonyClient] = []

    def client(
        self, email: str = DEFAULT_EMAIL, password: str = DEFAULT_PASSWORD, **kwargs: object
    ) -> HarmonyClient:
        client = HarmonyClient(
            self.emulator.url,
            Credentials(email, password),
            sleep=self.delays.append,
            **kwargs,  # type: ignore[arg-type]
        )
        self.clients.append(client)
        return client


@pytest.fixture
def harness(emulator: Emulator) -> Iterator[Harness]:
    made = Harness(emulator)
    yield made
    for client in made.clients:
        client.close()


def requests_seen(emulator: Emulator) -> int:
    return sum(emulator.counts().values())


# --- every call succeeds ------------------------------------------------------------------------


def test_login_gives_the_emulators_session(harness: Harness, emulator: Emulator) -> None:
    session = harness.client().login()
    assert session.default_org_id == DEFAULT_ORG_ID
    assert session.timeout_seconds == 14400
    assert session.server_url == emulator.url
    assert [(org.id, org.zone_url) for org in session.orgs] == [(DEFAULT_ORG_ID, emulator.url)]
    assert session.token not in repr(session)


def test_register_list_find_validate_and_both_deletes(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    reg = client.register("Acme", "1.0.0")
    assert (reg.name, reg.version) == ("Acme", "1.0.0")
    assert emulator.registrations() == [reg]
    other = client.register("Other", "2.0.0")
    assert client.list_connectors() == [reg, other]
    assert client.find("Acme") == [reg]
    assert client.find("Acme", "9.9.9") == []
    client.validate("Acme", reg.key, reg.secret)
    assert emulator.payload_cached(reg.id)
    client.delete_payload(reg.id)
    assert not emulator.payload_cached(reg.id)
    client.delete_registration(reg.id)
    assert client.list_connectors() == [other]
    counts = emulator.counts()
    assert counts == {
        "login": 1,
        "register": 2,
        "list": 4,
        "delete": 1,
        "delete_payload": 1,
        "validate": 1,
        "other": 0,
    }
    assert client.requests_made == requests_seen(emulator)


def test_registering_twice_is_two_registrations(harness: Harness, emulator: Emulator) -> None:
    """Harmony is not idempotent: callers must look up first (the engine does; here we do not)."""
    client = harness.client()
    first, second = client.register("Twice", "1.0.0"), client.register("Twice", "1.0.0")
    assert first.id != second.id
    assert len(client.find("Twice", "1.0.0")) == 2


# --- login errors -------------------------------------------------------------------------------


def test_bad_password_is_an_authentication_error_without_the_password(harness: Harness) -> None:
    with pytest.raises(AuthenticationError) as info:
        harness.client(password=CANARY).login()
    assert not isinstance(info.value, LoginRefusedError)
    assert info.value.error_code == ErrorCode.INVALID_CREDENTIALS
    assert CANARY not in str(info.value) and CANARY not in repr(info.value)


def test_two_factor_login_is_refused_with_the_remedy(harness: Harness) -> None:
    with pytest.raises(LoginRefusedError) as info:
        harness.client(TFA_EMAIL).login()
    assert info.value.error_code == "VALIDATE_TFA_LOGIN_EMAIL"
    assert "two-factor" in str(info.value) and "service account" in str(info.value)


def test_sso_login_is_refused_with_the_remedy(harness: Harness) -> None:
    with pytest.raises(LoginRefusedError) as info:
        harness.client(SSO_EMAIL).login()
    assert info.value.error_code == ErrorCode.SSO_REQUIRED
    assert "bypass SSO" in str(info.value)


# --- tokens -------------------------------------------------------------------------------------


def test_expired_token_logs_in_again_once(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.expire_tokens()
    assert client.list_connectors() == []
    assert (emulator.counts()["login"], emulator.counts()["list"]) == (2, 2)


def test_token_refused_after_a_fresh_login_is_an_authentication_error(
    harness: Harness, emulator: Emulator
) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(2, 401, route="list")
    with pytest.raises(AuthenticationError):
        client.list_connectors()
    assert (emulator.counts()["login"], emulator.counts()["list"]) == (2, 2)


def test_401_on_register_is_repeated_after_login_once(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.expire_tokens()
    reg = client.register("AfterRelogin", "1")
    assert emulator.registrations() == [reg]
    assert emulator.counts()["register"] == 2  # the 401 one was not processed


# --- not found, in use, invalid, rejected ------------------------------------------------------


def test_unknown_org_is_not_found(harness: Harness) -> None:
    with pytest.raises(NotFoundError) as info:
        harness.client(org_id="99999").list_connectors()
    assert info.value.error_code == ErrorCode.ORG_NOT_FOUND


def test_other_users_org_is_not_found() -> None:
    users = [User("a@example.com", "pw-a", "10001"), User("b@example.com", "pw-b", "10002")]
    with Emulator(users=users) as emulator:
        with HarmonyClient(emulator.url, Credentials("a@example.com", "pw-a")) as owner:
            owner.register("Private", "1")
        intruder = HarmonyClient(emulator.url, Credentials("b@example.com", "pw-b"), org_id="10001")
        with intruder, pytest.raises(NotFoundError):
            intruder.list_connectors()
        assert [r.name for r in emulator.registrations("10001")] == ["Private"]


@pytest.mark.parametrize("call", ["delete_registration", "delete_payload"])
def test_unknown_connector_is_not_found(harness: Harness, call: str) -> None:
    with pytest.raises(NotFoundError) as info:
        getattr(harness.client(), call)("999999")
    assert info.value.error_code == ErrorCode.CONNECTOR_NOT_FOUND


@pytest.mark.parametrize("call", ["delete_registration", "delete_payload"])
def test_connector_in_use_refuses_both_deletes(harness: Harness, emulator: Emulator, call: str) -> None:
    client = harness.client()
    reg = client.register("Busy", "1")
    emulator.set_in_use(reg.id)
    with pytest.raises(ConnectorInUseError) as info:
        getattr(client, call)(reg.id)
    assert "projects" in str(info.value)
    assert emulator.registrations() == [reg]


def test_wrong_key_or_secret_is_invalid_security_info_without_the_secret(
    harness: Harness, emulator: Emulator
) -> None:
    client = harness.client()
    reg = client.register("Checked", "1")
    with pytest.raises(InvalidSecurityInfoError) as info:
        client.validate("Checked", reg.key, "canary-secret-77")
    assert "canary-secret-77" not in str(info.value) and reg.key not in str(info.value)
    with pytest.raises(InvalidSecurityInfoError):
        client.validate("Unknown", reg.key, reg.secret)


def test_a_refused_register_body_is_rejected_not_unknown(harness: Harness, emulator: Emulator) -> None:
    with pytest.raises(RequestRejectedError) as info:
        harness.client().register("bad/name", "1")
    assert info.value.error_code == ErrorCode.BAD_REQUEST
    assert emulator.registrations() == []


def test_status_false_with_http_200_is_an_error(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(1, 200, route="list")
    with pytest.raises(RequestRejectedError):
        client.list_connectors()


# --- server errors and retries ------------------------------------------------------------------


def test_503_with_retry_after_is_retried_for_list(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(2, 503, route="list", retry_after=1)
    assert client.list_connectors() == []
    assert emulator.counts()["list"] == 3
    assert harness.delays == [1.0, 1.0]


def test_retry_after_is_capped(harness: Harness, emulator: Emulator) -> None:
    client = harness.client(max_retry_after=2.0)
    client.login()
    emulator.fail_next(1, 429, route="validate", retry_after=600)
    with pytest.raises(InvalidSecurityInfoError):
        client.validate("x", "k", "s")
    assert harness.delays == [2.0]


def test_503_until_retries_run_out_is_a_server_error(harness: Harness, emulator: Emulator) -> None:
    client = harness.client(max_retries=2)
    client.login()
    emulator.fail_next(5, 503, route="delete", retry_after=0)
    with pytest.raises(ServerError):
        client.delete_registration("4471")
    assert emulator.counts()["delete"] == 3


def test_429_until_retries_run_out_is_rate_limited(harness: Harness, emulator: Emulator) -> None:
    client = harness.client(max_retries=1)
    client.login()
    emulator.fail_next(2, 429, route="list")
    with pytest.raises(RateLimitedError):
        client.list_connectors()
    assert emulator.counts()["list"] == 2


def test_500_on_list_is_not_retried(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(1, 500, route="list")
    with pytest.raises(ServerError):
        client.list_connectors()
    assert emulator.counts()["list"] == 1


def test_429_on_register_is_retried_once_registered(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(1, 429, route="register", retry_after=0)
    reg = client.register("Patient", "1")
    assert emulator.registrations() == [reg]
    assert emulator.counts()["register"] == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_register_5xx_is_never_resent(harness: Harness, emulator: Emulator, status: int) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(1, status, route="register", retry_after=0)
    with pytest.raises(RegisterOutcomeUnknownError) as info:
        client.register("Once", "1")
    assert "not sent again" in str(info.value)
    assert emulator.counts()["register"] == 1
    assert harness.delays == []


def test_register_dropped_after_commit_is_outcome_unknown(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.drop_after_register()
    with pytest.raises(RegisterOutcomeUnknownError):
        client.register("Committed", "1")
    assert emulator.counts()["register"] == 1
    [reg] = client.find("Committed", "1")  # the look-up the error asks for finds it
    assert emulator.registrations() == [reg]


def test_register_read_timeout_is_outcome_unknown(harness: Harness, emulator: Emulator) -> None:
    client = harness.client(read_timeout=0.2)
    client.login()
    emulator.set_latency(1.0)
    with pytest.raises(RegisterOutcomeUnknownError):
        client.register("Slow", "1")
    assert emulator.counts()["register"] == 1


def test_list_read_timeout_is_a_transport_error(harness: Harness, emulator: Emulator) -> None:
    client = harness.client(read_timeout=0.2)
    client.login()
    emulator.set_latency(1.0)
    with pytest.raises(TransportError) as info:
        client.list_connectors()
    assert "read timeout" in str(info.value)
    assert emulator.counts()["list"] == 1


def test_connection_refused_is_retried_then_a_transport_error(harness: Harness) -> None:
    stopped = Emulator().start()
    url = stopped.url
    stopped.stop()
    client = HarmonyClient(url, Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD), sleep=harness.delays.append)
    harness.clients.append(client)
    with pytest.raises(TransportError) as info:
        client.login()
    assert "connect" in str(info.value).lower()
    assert harness.delays == [0.5, 1.0, 2.0]


def test_connection_refused_on_a_loopback_url_asks_whether_the_emulator_runs(harness: Harness) -> None:
    """Issue 14, item 20: on loopback, a refused connection almost always means no emulator is running."""
    stopped = Emulator().start()
    url = stopped.url.replace("127.0.0.1", "localhost")
    stopped.stop()
    client = HarmonyClient(url, Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD), sleep=harness.delays.append)
    harness.clients.append(client)
    with pytest.raises(TransportError) as info:
        client.login()
    message = str(info.value)
    assert "is the emulator running? (`hatch-harmony emulator`)" in message
    assert "HTTPS_PROXY" not in message  # loopback never goes through a proxy: no such advice


def test_a_remote_host_that_refuses_gets_the_network_advice_not_the_emulator_hint() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = HarmonyClient(
        "https://harmony.example.com",
        Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD),
        transport=httpx.MockTransport(refuse),
        sleep=lambda _: None,
    )
    with client, pytest.raises(TransportError) as info:
        client.login()
    assert "emulator" not in str(info.value)
    assert "HTTPS_PROXY" in str(info.value)


# --- malformed replies ----------------------------------------------------------------------------


HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@pytest.mark.parametrize("body", [HTML, b'{"status": true, "registeredConnectorList": [', b"[]"])
def test_malformed_list_reply(harness: Harness, emulator: Emulator, body: bytes) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(1, 200, route="list", body=body)
    with pytest.raises(MalformedReplyError):
        client.list_connectors()


@pytest.mark.parametrize(
    "patch",
    [
        {"key": "abc\r\nX-Injected: 1"},
        {"secret": None},
        {"endpointEntityId": "-5"},
        {"functionEntityStartId": "1", "functionEntityEndId": "0"},
        {"functionEntityEndId": ["2370800"]},
    ],
)
def test_bad_register_reply_values_are_outcome_unknown(
    harness: Harness, emulator: Emulator, patch: dict[str, object]
) -> None:
    client = harness.client()
    client.login()
    emulator.override_next("register", patch)
    with pytest.raises(RegisterOutcomeUnknownError):
        client.register("Lied", "1")
    assert emulator.counts()["register"] == 1


def test_bad_list_entry_is_malformed(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    reg = client.register("Mine", "1")
    bad = {**reg.to_wire(), "key": "k\ny"}
    emulator.override_next("list", {"registeredConnectorList": [bad]})
    with pytest.raises(MalformedReplyError) as info:
        client.list_connectors()
    assert reg.secret not in str(info.value)


def test_bad_login_reply_is_malformed(harness: Harness, emulator: Emulator) -> None:
    emulator.override_next("login", {"authenticationToken": None})
    with pytest.raises(MalformedReplyError):
        harness.client().login()


def test_html_error_page_on_register_is_outcome_unknown(harness: Harness, emulator: Emulator) -> None:
    client = harness.client()
    client.login()
    emulator.fail_next(1, 502, route="register", body=HTML)
    with pytest.raises(RegisterOutcomeUnknownError):
        client.register("Gateway", "1")
    assert emulator.registrations() == []


def test_every_error_is_an_api_error_with_no_secret(harness: Harness, emulator: Emulator) -> None:
    client = harness.client(password=CANARY)
    with pytest.raises(ApiError) as info:
        client.list_connectors()
    assert CANARY not in str(info.value)
    assert CANARY not in repr(client)
