"""Every Connector Manager API call: the request it sends, its documented reply, its failure modes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hatch_harmony.api import protocol
from hatch_harmony.api.client import DEFAULT_SESSION_SECONDS, Org, Session
from hatch_harmony.api.errors import (
    ApiError,
    AuthenticationError,
    ConnectorInUseError,
    InvalidSecurityInfoError,
    LoginRefusedError,
    MalformedReplyError,
    NotFoundError,
    RegisterOutcomeUnknownError,
    RequestRejectedError,
    ServerError,
)
from hatch_harmony.api.protocol import ErrorCode
from hatch_harmony.errors import ConfigError, HarmonyError
from tests.client_fakes import (
    EMAIL,
    KEY,
    LIST,
    LOGIN,
    ORG,
    PASSWORD,
    REGISTER,
    SECRET,
    TOKEN,
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

# --- login -------------------------------------------------------------------------------------


def test_login_sends_the_documented_request_and_reads_every_field() -> None:
    fake = FakeHarmony(login_reply())
    with make_client(fake) as client:
        session = client.login()
        assert client.session is session
    assert session == Session(
        token=TOKEN,
        default_org_id=ORG,
        orgs=(Org(ORG, "Acme Dev", "https://na-east.jitterbit.com"),),
        timeout_seconds=14400,
        server_url="https://na-east.jitterbit.com",
    )
    assert fake.calls == [LOGIN]
    request = fake.requests[0]
    assert fake.body(0) == {"email": EMAIL, "password": PASSWORD}
    assert request.headers["Content-Type"] == "application/json"
    assert protocol.AUTH_HEADER not in request.headers


def test_login_with_only_the_fields_postman_reads() -> None:
    """The collection's test script reads just authenticationToken and defaultOrgId."""
    reply = httpx.Response(200, json={"authenticationToken": TOKEN, "defaultOrgId": 20002})
    with make_client(FakeHarmony(reply)) as client:
        session = client.login()
    assert session.default_org_id == "20002"
    assert session.orgs == ()
    assert session.timeout_seconds == DEFAULT_SESSION_SECONDS
    assert session.server_url == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"authenticationToken": None}, "authenticationToken"),
        ({"authenticationToken": ""}, "authenticationToken"),
        ({"authenticationToken": "abc\r\nX-Injected: 1"}, "authenticationToken"),
        ({"authenticationToken": 12345}, "authenticationToken"),
        ({"defaultOrgId": None}, "defaultOrgId"),
        ({"defaultOrgId": "../admin"}, "defaultOrgId"),
        ({"defaultOrgId": True}, "defaultOrgId"),
        ({"orgAttrs": "10001"}, "orgAttrs"),
        ({"orgAttrs": [{"orgName": "no id"}]}, "orgAttrs[0].orgId"),
        ({"sessionTimeoutInSeconds": -5}, "sessionTimeoutInSeconds"),
        ({"sessionTimeoutInSeconds": True}, "sessionTimeoutInSeconds"),
        ({"sessionTimeoutInSeconds": "soon"}, "sessionTimeoutInSeconds"),
    ],
)
def test_malformed_login_replies_name_the_field(changes: dict[str, Any], field: str) -> None:
    with (
        make_client(FakeHarmony(login_reply(**changes))) as client,
        pytest.raises(MalformedReplyError) as caught,
    ):
        client.login()
    assert f"'{field}'" in str(caught.value)
    assert caught.value.operation == "login"


def test_bad_credentials() -> None:
    reply = refused(401, ErrorCode.INVALID_CREDENTIALS, "Invalid email or password.")
    fake = FakeHarmony(reply)
    with make_client(fake) as client, pytest.raises(AuthenticationError) as caught:
        client.login()
    error = caught.value
    assert not isinstance(error, LoginRefusedError)
    assert fake.calls == [LOGIN]  # a refused login is not repeated
    assert "HARMONY_EMAIL / HARMONY_PASSWORD" in str(error)
    assert EMAIL in str(error)
    assert (error.http_status, error.error_code) == (401, ErrorCode.INVALID_CREDENTIALS)
    assert error.error_message == "Invalid email or password."


@pytest.mark.parametrize(
    "reply",
    [
        # What Harmony sends for a two-factor account [DOC/OBS]: no HTTP error, just status false.
        refused(200, ErrorCode.TFA_REQUIRED, "Please enter the code sent by e-mail"),
        refused(403, "LOGIN_BLOCKED", "Two-factor authentication is required for this account"),
        refused(401, "MFA_REQUIRED", "verification needed"),
    ],
)
def test_two_factor_login_explains_the_service_account_remedy(reply: httpx.Response) -> None:
    with make_client(FakeHarmony(reply)) as client, pytest.raises(LoginRefusedError) as caught:
        client.login()
    message = str(caught.value)
    assert "two-factor" in message
    assert "service account" in message


@pytest.mark.parametrize(
    "reply",
    [
        refused(401, ErrorCode.SSO_REQUIRED, "This organization uses single sign-on"),
        refused(200, "LOGIN_FAILED", "Your organization requires SSO login"),
    ],
)
def test_sso_login_explains_the_bypass_list(reply: httpx.Response) -> None:
    with make_client(FakeHarmony(reply)) as client, pytest.raises(LoginRefusedError) as caught:
        client.login()
    assert "bypass SSO" in str(caught.value)
    assert isinstance(caught.value, AuthenticationError)


def test_the_first_call_logs_in_lazily_and_the_session_is_reused() -> None:
    fake = FakeHarmony(login_reply(), ok(registeredConnectorList=[]), ok(registeredConnectorList=[]))
    with make_client(fake) as client:
        assert fake.requests == []
        assert client.list_connectors() == []
        assert client.list_connectors() == []
        assert client.org_id == ORG
    assert fake.calls == [LOGIN, LIST, LIST]
    assert [r.headers[protocol.AUTH_HEADER] for r in fake.requests[1:]] == [TOKEN, TOKEN]


def test_the_session_is_renewed_once_its_advertised_timeout_passed() -> None:
    recorder = Recorder()
    fake = FakeHarmony(
        login_reply(sessionTimeoutInSeconds=600),
        ok(registeredConnectorList=[]),
        login_reply(token="fresh-token"),
        ok(registeredConnectorList=[]),
    )
    with make_client(fake, recorder) as client:
        client.list_connectors()
        recorder.now += 600
        client.list_connectors()
    assert fake.calls == [LOGIN, LIST, LOGIN, LIST]
    assert fake.requests[3].headers[protocol.AUTH_HEADER] == "fresh-token"


@pytest.mark.parametrize("default_org", [None, "../admin"])
def test_default_org_id_is_needed_only_without_a_configured_org_id(default_org: str | None) -> None:
    """Issue 14, item 11: with `org-id` set the login's defaultOrgId is never used, so never required."""
    fake = FakeHarmony(login_reply(defaultOrgId=default_org), ok(registeredConnectorList=[]))
    with make_client(fake, org_id="30003") as client:
        assert client.login().default_org_id is None
        assert client.list_connectors() == []
    assert fake.calls == [LOGIN, ("GET", "orgs/30003/connector")]
    with (
        make_client(FakeHarmony(login_reply(defaultOrgId=default_org))) as client,
        pytest.raises(MalformedReplyError, match="'defaultOrgId'"),
    ):
        client.login()


@pytest.mark.parametrize("token", ["t\u00f8ken-\u00fc", "\u2603", "abc\u00a0def"])
def test_a_non_ascii_session_token_is_a_malformed_reply(token: str) -> None:
    """Issue 14, item 13: it could never travel in the authToken header (a UnicodeEncodeError before)."""
    fake = FakeHarmony(login_reply(token=token))
    with make_client(fake) as client, pytest.raises(MalformedReplyError) as caught:
        client.list_connectors()
    assert "'authenticationToken'" in str(caught.value)
    assert token not in str(caught.value)
    assert fake.calls == [LOGIN]


def test_a_configured_org_id_wins_over_the_default_org() -> None:
    fake = FakeHarmony(login_reply(), ok(registeredConnectorList=[]))
    with make_client(fake, org_id="30003") as client:
        assert client.org_id == "30003"
        assert fake.requests == []  # no login needed to know it
        client.list_connectors()
    assert fake.calls == [LOGIN, ("GET", "orgs/30003/connector")]


@pytest.mark.parametrize("org_id", ["12/34", "", " ", "../x", "1 2"])
def test_an_unusable_org_id_is_a_config_error(org_id: str) -> None:
    with pytest.raises(ConfigError, match="org id"):
        make_client(FakeHarmony(), org_id=org_id)


# --- register ----------------------------------------------------------------------------------


def test_register_parses_the_documented_reply() -> None:
    fake = FakeHarmony(login_reply(), httpx.Response(200, json=registration_wire()))
    with make_client(fake) as client:
        registration = client.register("Dropbox", "1.0.0")
    assert registration == protocol.Registration(
        id="4471",
        name="Dropbox",
        version="1.0.0",
        key=KEY,
        secret=SECRET,
        endpoint_entity_id="2370701",
        function_entity_start_id="2370702",
        function_entity_end_id="2370800",
    )
    assert fake.calls == [LOGIN, REGISTER]
    assert fake.body(1) == {"name": "Dropbox", "version": "1.0.0"}
    request = fake.requests[1]
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers[protocol.AUTH_HEADER] == TOKEN


@pytest.mark.parametrize("connector_id", [None, "", "  "])
def test_a_register_reply_without_an_id_is_outcome_unknown_and_never_resent(connector_id: Any) -> None:
    """Issue 14, item 10: without its id a registration cannot be recorded, verified or deleted.

    The reply is malformed like any other, so the register's outcome is unknown: the engine
    lists the org and adopts the registration with the id the list gives.
    """
    fake = FakeHarmony(login_reply(), httpx.Response(200, json=registration_wire(id=connector_id)))
    with make_client(fake) as client, pytest.raises(RegisterOutcomeUnknownError) as caught:
        client.register("Dropbox", "1.0.0")
    assert fake.calls == [LOGIN, REGISTER]
    assert "'id'" in str(caught.value)


def test_register_keeps_a_name_and_version_the_reply_does_carry() -> None:
    reply = httpx.Response(200, json=registration_wire(name="Dropbox", version="1.0.0"))
    with make_client(FakeHarmony(login_reply(), reply)) as client:
        registration = client.register("Dropbox", "1.0.0")
    assert (registration.name, registration.version) == ("Dropbox", "1.0.0")


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (refused(200, "DUPLICATE_CONNECTOR", "Connector name already used"), RequestRejectedError),
        (
            refused(400, ErrorCode.BAD_REQUEST, 'The field "name" must be a non-empty string.'),
            RequestRejectedError,
        ),
        (refused(404, ErrorCode.ORG_NOT_FOUND, "Organization 10001 not found"), NotFoundError),
        (refused(403, "ACCESS_DENIED", "No permission"), RequestRejectedError),
    ],
)
def test_register_refusals_are_definite_and_sent_once(
    reply: httpx.Response, error_type: type[ApiError]
) -> None:
    """A reply that says "no" means nothing was created: a plain error, not "outcome unknown"."""
    fake = FakeHarmony(login_reply(), reply)
    with make_client(fake) as client, pytest.raises(error_type) as caught:
        client.register("Dropbox", "1.0.0")
    assert not isinstance(caught.value, RegisterOutcomeUnknownError)
    assert fake.calls == [LOGIN, REGISTER]
    assert caught.value.operation == "register"
    assert caught.value.error_code == reply.json()["errorCode"]
    assert caught.value.error_message == reply.json()["errorMessage"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": None}, "'key'"),
        ({"secret": ""}, "'secret'"),
        ({"endpointEntityId": "abc"}, "'endpointEntityId'"),
        ({"functionEntityStartId": "1", "functionEntityEndId": "0"}, "functionEntityStartId"),
        ({"key": "abc\r\nInjected: yes"}, "control character"),
    ],
)
def test_a_malformed_register_reply_leaves_the_outcome_unknown(changes: dict[str, Any], field: str) -> None:
    fake = FakeHarmony(login_reply(), httpx.Response(200, json=registration_wire(**changes)))
    with make_client(fake) as client, pytest.raises(RegisterOutcomeUnknownError) as caught:
        client.register("Dropbox", "1.0.0")
    assert field in str(caught.value)
    assert fake.calls == [LOGIN, REGISTER]


# --- list and find -----------------------------------------------------------------------------

DOCUMENTED_LIST = {
    "status": True,
    "operation": "List registered connectors",
    "registeredConnectorList": [
        {
            "id": "4471",
            "name": "Dropbox",
            "version": "1.0.0",
            "key": KEY,
            "secret": SECRET,
            "endpointEntityId": "2370701",
            "functionEntityStartId": "2370702",
            "functionEntityEndId": "2370800",
        }
    ],
}


def entry(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = dict(DOCUMENTED_LIST["registeredConnectorList"][0])  # type: ignore[index]
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def test_list_parses_the_documented_example() -> None:
    fake = FakeHarmony(login_reply(), httpx.Response(200, json=DOCUMENTED_LIST))
    with make_client(fake) as client:
        (registration,) = client.list_connectors()
    assert registration.to_wire() == DOCUMENTED_LIST["registeredConnectorList"][0]  # type: ignore[index]
    assert fake.calls == [LOGIN, LIST]
    assert fake.requests[1].headers["Content-Type"] == "application/json"
    assert fake.requests[1].headers[protocol.AUTH_HEADER] == TOKEN


def test_list_of_an_org_without_connectors() -> None:
    fake = FakeHarmony(login_reply(), ok(registeredConnectorList=[]), ok(registeredConnectorList=None))
    with make_client(fake) as client:
        assert client.list_connectors() == []
        assert client.list_connectors() == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"status": True}, "'registeredConnectorList' is missing"),
        ({"status": True, "registeredConnectorList": {"a": 1}}, "expected a list"),
        (
            {"status": True, "registeredConnectorList": [entry(key="")]},
            "registeredConnectorList[0]: field 'key' is empty",  # a missing key: test_client_keyless.py
        ),
        ({"status": True, "registeredConnectorList": [entry(), "x"]}, "registeredConnectorList[1]"),
    ],
)
def test_a_malformed_list_fails_as_a_whole(body: dict[str, Any], words: str) -> None:
    """Skipping an unreadable entry could hide our own connector and cause a second registration."""
    fake = FakeHarmony(login_reply(), httpx.Response(200, json=body))
    with make_client(fake) as client, pytest.raises(MalformedReplyError) as caught:
        client.list_connectors()
    assert words in str(caught.value)
    assert "list the connectors of org 10001" in str(caught.value)


def test_find_filters_by_exact_name_and_version() -> None:
    connectors = [
        entry(),
        entry(
            id="4472",
            version="2.0.0",
            endpointEntityId="2370801",
            functionEntityStartId="2370802",
            functionEntityEndId="2370900",
        ),
        entry(id="4473", name="dropbox"),
        entry(id="4474", name="Dropbox Plus"),
    ]
    fake = FakeHarmony(login_reply(), *[ok(registeredConnectorList=connectors) for _ in range(3)])
    with make_client(fake) as client:
        assert [r.id for r in client.find("Dropbox")] == ["4471", "4472"]
        assert [r.id for r in client.find("Dropbox", "2.0.0")] == ["4472"]
        assert client.find("Box") == []


def test_find_prefers_the_exact_name_then_matches_a_server_normalised_one() -> None:
    """Issue 14, item 9: a server that stores names its own way still finds ours, never a twin's."""
    connectors = [
        entry(),
        entry(id="4473", name="dropbox"),
        entry(id="4474", name="DROPBOX PLUS", version="1.0"),
    ]
    fake = FakeHarmony(login_reply(), *[ok(registeredConnectorList=connectors) for _ in range(3)])
    with make_client(fake) as client:
        assert [r.id for r in client.find("dropbox")] == ["4473"]  # exact wins over "Dropbox"
        assert [r.id for r in client.find("Dropbox  plus", "1.0")] == ["4474"]
        assert client.find("Dropbox Plus", "2.0") == []


def test_find_ignores_a_malformed_entry_of_another_connector_only() -> None:
    # (a key or secret that is not listed is no fault: test_client_keyless.py)
    broken_other = entry(id="9", name="Builder Thing", endpointEntityId="x")
    broken_ours = entry(id="10", endpointEntityId=None)
    fake = FakeHarmony(
        login_reply(),
        ok(registeredConnectorList=[broken_other, entry()]),
        ok(registeredConnectorList=[broken_ours, entry()]),
    )
    with make_client(fake) as client:
        assert [r.id for r in client.find("Dropbox")] == ["4471"]
        with pytest.raises(MalformedReplyError, match=r"registeredConnectorList\[0\]"):
            client.find("Dropbox")


def test_list_of_an_unknown_org() -> None:
    fake = FakeHarmony(login_reply(), refused(404, ErrorCode.ORG_NOT_FOUND, "Organization 10001 not found"))
    with make_client(fake) as client, pytest.raises(NotFoundError) as caught:
        client.list_connectors()
    assert "org" in str(caught.value)
    assert "org id" in str(caught.value)


# --- the two deletes ---------------------------------------------------------------------------

DELETES = [
    pytest.param("delete_registration", delete_call, "registration", id="registration"),
    pytest.param("delete_payload", payload_call, "payload", id="payload"),
]


@pytest.mark.parametrize(("method", "call", "what"), DELETES)
@pytest.mark.parametrize("reply", [ok(), httpx.Response(200), httpx.Response(204)])
def test_delete_succeeds(method: str, call: Any, what: str, reply: httpx.Response) -> None:
    fake = FakeHarmony(login_reply(), reply)
    with make_client(fake) as client:
        assert getattr(client, method)("4471") is None
    assert fake.calls == [LOGIN, call("4471")]
    assert fake.requests[1].headers[protocol.AUTH_HEADER] == TOKEN


@pytest.mark.parametrize(("method", "call", "what"), DELETES)
@pytest.mark.parametrize(
    "reply",
    [
        refused(409, ErrorCode.CONNECTOR_IN_USE, "Connector 4471 is used by a project"),
        refused(200, ErrorCode.CONNECTOR_IN_USE, "in use"),
        refused(400, "DELETE_FAILED", "The connector is in use by 2 projects"),
        refused(409, "CONFLICT", "cannot delete"),
    ],
)
def test_delete_refused_while_a_project_uses_the_connector(
    method: str, call: Any, what: str, reply: httpx.Response
) -> None:
    fake = FakeHarmony(login_reply(), reply)
    with make_client(fake) as client, pytest.raises(ConnectorInUseError) as caught:
        getattr(client, method)("4471")
    message = str(caught.value)
    assert f"delete the {what} of connector 4471" in message
    assert "Remove the connector from those projects first" in message
    assert "only when no project uses" in message
    assert fake.calls == [LOGIN, call("4471")]


@pytest.mark.parametrize(("method", "call", "what"), DELETES)
def test_delete_of_an_unknown_connector(method: str, call: Any, what: str) -> None:
    fake = FakeHarmony(login_reply(), refused(404, ErrorCode.CONNECTOR_NOT_FOUND, "Connector 77 unknown"))
    with make_client(fake) as client, pytest.raises(NotFoundError) as caught:
        getattr(client, method)("77")
    assert "connector 77 in org 10001" in str(caught.value)
    assert fake.calls == [LOGIN, call("77")]


@pytest.mark.parametrize("method", ["delete_registration", "delete_payload"])
@pytest.mark.parametrize("connector_id", ["../4471", "44/71", "", "4471?x=1"])
def test_delete_refuses_an_unusable_connector_id_before_any_request(method: str, connector_id: str) -> None:
    fake = FakeHarmony()
    with make_client(fake) as client, pytest.raises(ConfigError, match="connector id"):
        getattr(client, method)(connector_id)
    assert fake.requests == []


# --- validate ----------------------------------------------------------------------------------


def test_validate_accepts_a_good_pair() -> None:
    fake = FakeHarmony(login_reply(), ok("Validate connector key and secret"))
    with make_client(fake) as client:
        assert client.validate("Dropbox", KEY, SECRET) is None
    assert fake.calls == [LOGIN, VALIDATE]
    assert fake.body(1) == {"name": "Dropbox", "key": KEY, "secret": SECRET}
    assert fake.requests[1].headers["Content-Type"] == "application/json"
    assert fake.requests[1].headers[protocol.AUTH_HEADER] == TOKEN


@pytest.mark.parametrize(
    "reply",
    [
        refused(200, ErrorCode.INVALID_SECURITY_INFO, "The key and secret are not valid"),
        refused(200, "SOMETHING_ELSE", "no"),
        refused(400, ErrorCode.INVALID_SECURITY_INFO, "bad pair"),
    ],
)
def test_validate_rejects_a_bad_pair(reply: httpx.Response) -> None:
    fake = FakeHarmony(login_reply(), reply)
    with make_client(fake) as client, pytest.raises(InvalidSecurityInfoError) as caught:
        client.validate("Dropbox", KEY, SECRET)
    assert "rejected the connector key and secret" in str(caught.value)
    assert "'Dropbox'" in str(caught.value)
    assert fake.calls == [LOGIN, VALIDATE]


def test_validate_with_a_malformed_request_is_not_a_bad_pair() -> None:
    fake = FakeHarmony(login_reply(), refused(400, ErrorCode.BAD_REQUEST, "The field name is required"))
    with make_client(fake) as client, pytest.raises(RequestRejectedError):
        client.validate("Dropbox", KEY, SECRET)


# --- reply shapes shared by every call -----------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (html(200, "Sign in - Corporate Proxy"), "page title 'Sign in - Corporate Proxy'"),
        (httpx.Response(200, content=b"OK then", headers={"Content-Type": "text/plain"}), "'OK then'"),
        (httpx.Response(200, content=b'{"status": true, "registeredConn'), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "expected a JSON object, got a list"),
        (httpx.Response(200, json={"status": "maybe", "registeredConnectorList": []}), "field 'status'"),
        (html(404, "404 Not Found"), "Check that the Harmony URL or region is right"),
    ],
)
def test_malformed_replies(reply: httpx.Response, words: str) -> None:
    fake = FakeHarmony(login_reply(), reply)
    with make_client(fake) as client, pytest.raises(MalformedReplyError) as caught:
        client.list_connectors()
    assert words in str(caught.value)
    assert caught.value.http_status == reply.status_code
    assert "<h1>" not in str(caught.value)


def test_status_false_with_http_200_is_an_error() -> None:
    fake = FakeHarmony(login_reply(), refused(200, "WEIRD_STATE", "Something is off"))
    with make_client(fake) as client, pytest.raises(RequestRejectedError) as caught:
        client.list_connectors()
    error = caught.value
    assert (error.http_status, error.error_code, error.error_message) == (
        200,
        "WEIRD_STATE",
        "Something is off",
    )
    assert "WEIRD_STATE: Something is off" in str(error)


def test_other_4xx_with_an_empty_body() -> None:
    fake = FakeHarmony(login_reply(), httpx.Response(405))
    with make_client(fake) as client, pytest.raises(RequestRejectedError, match="HTTP 405"):
        client.list_connectors()


def test_a_500_is_a_server_error_without_retry() -> None:
    fake = FakeHarmony(login_reply(), refused(500, ErrorCode.INTERNAL, "NullPointerException"))
    with make_client(fake) as client, pytest.raises(ServerError) as caught:
        client.list_connectors()
    assert fake.calls == [LOGIN, LIST]
    assert "HTTP 500, INTERNAL_SERVER_ERROR: NullPointerException" in str(caught.value)


def test_every_api_error_is_a_harmony_error_with_exit_code_1() -> None:
    from hatch_harmony.api import errors as api_errors

    classes = [
        value
        for value in vars(api_errors).values()
        if isinstance(value, type)
        and issubclass(value, HarmonyError)
        and value.__module__ == api_errors.__name__
    ]
    assert len(classes) == 13
    for cls in classes:
        expected = 2 if issubclass(cls, ConfigError) else 1
        assert cls.exit_code == expected, cls
