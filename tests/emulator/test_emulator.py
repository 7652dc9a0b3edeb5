"""The emulator's API over real loopback HTTP: every call, every documented error, id allocation.

Requests are written out with plain `http.client` (tests/plugins/emulator.py: RawApi), so
these tests check the emulator against the documentation, not against our own client.
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from pathlib import Path

import pytest

from hatch_harmony.api.protocol import (
    LOGIN_PATH,
    ErrorCode,
    Registration,
    connector_path,
    connectors_path,
    payload_path,
    validate_path,
)
from hatch_harmony.emulator import (
    DEFAULT_EMAIL,
    DEFAULT_ORG_ID,
    DEFAULT_PASSWORD,
    SSO_EMAIL,
    TFA_EMAIL,
    Emulator,
    User,
)
from tests.plugins.emulator import RawApi

ORG = DEFAULT_ORG_ID
REGISTER_KEYS = [
    "status",
    "operation",
    "id",
    "key",
    "secret",
    "endpointEntityId",
    "functionEntityStartId",
    "functionEntityEndId",
]


def assert_error(reply_json: object, code: str) -> None:
    assert isinstance(reply_json, dict)
    assert reply_json["status"] is False
    assert reply_json["errorCode"] == code
    assert isinstance(reply_json["operation"], str) and reply_json["operation"]
    assert isinstance(reply_json["errorMessage"], str) and reply_json["errorMessage"]


# --- login -------------------------------------------------------------------------------------


def test_login_reply_has_the_documented_fields(api: RawApi, emulator: Emulator) -> None:
    reply = api.request("PUT", LOGIN_PATH, {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD})
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    data = reply.json()
    assert data["status"] is True and data["operation"]
    assert isinstance(data["authenticationToken"], str) and len(data["authenticationToken"]) >= 16
    assert data["defaultOrgId"] == ORG
    assert data["sessionTimeoutInSeconds"] == 14400
    assert data["serverUrl"] == emulator.url
    [org] = data["orgAttrs"]
    assert org["orgId"] == ORG and org["orgName"] and org["orgZoneUrl"] == emulator.url


def test_each_login_gets_a_new_token(api: RawApi) -> None:
    assert api.login() != api.login()


def test_login_email_is_case_insensitive(api: RawApi) -> None:
    assert api.login(DEFAULT_EMAIL.upper())


@pytest.mark.parametrize(
    ("email", "password"),
    [(DEFAULT_EMAIL, "wrong-canary-pw"), ("nobody@example.com", DEFAULT_PASSWORD)],
)
def test_bad_credentials_are_401(api: RawApi, email: str, password: str) -> None:
    reply = api.request("PUT", LOGIN_PATH, {"email": email, "password": password})
    assert reply.status == 401
    assert_error(reply.json(), ErrorCode.INVALID_CREDENTIALS)
    assert b"wrong-canary-pw" not in reply.body
    assert b"authenticationToken" not in reply.body


def test_two_factor_user_is_refused_with_the_documented_code(api: RawApi) -> None:
    reply = api.request("PUT", LOGIN_PATH, {"email": TFA_EMAIL, "password": DEFAULT_PASSWORD})
    assert reply.status == 200  # Harmony asks for the e-mailed code; no HTTP error
    assert_error(reply.json(), "VALIDATE_TFA_LOGIN_EMAIL")
    assert "authenticationToken" not in reply.json()


def test_sso_user_is_refused(api: RawApi) -> None:
    reply = api.request("PUT", LOGIN_PATH, {"email": SSO_EMAIL, "password": DEFAULT_PASSWORD})
    assert reply.status == 401
    assert_error(reply.json(), ErrorCode.SSO_REQUIRED)
    assert "bypass" in reply.json()["errorMessage"]


def test_sso_and_tfa_refusals_need_the_right_password(api: RawApi) -> None:
    for email in (TFA_EMAIL, SSO_EMAIL):
        reply = api.request("PUT", LOGIN_PATH, {"email": email, "password": "nope"})
        assert reply.status == 401
        assert_error(reply.json(), ErrorCode.INVALID_CREDENTIALS)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"email": "demo@example.com"}', b'{"email": 1, "password": "x"}', b"\xff"],
)
def test_malformed_login_body_is_400(api: RawApi, body: bytes) -> None:
    reply = api.request("PUT", LOGIN_PATH, body)
    assert reply.status == 400
    assert_error(reply.json(), ErrorCode.BAD_REQUEST)


def test_body_without_json_content_type_is_415(api: RawApi) -> None:
    body = {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
    for content_type in (None, "text/plain"):
        reply = api.request("PUT", LOGIN_PATH, body, content_type=content_type)
        assert reply.status == 415
        assert_error(reply.json(), ErrorCode.BAD_REQUEST)
    ok = api.request("PUT", LOGIN_PATH, body, content_type="application/json; charset=utf-8")
    assert ok.status == 200


# --- tokens ------------------------------------------------------------------------------------


def test_calls_without_or_with_a_bad_token_are_401(api: RawApi) -> None:
    for token in (None, "", "not-a-token"):
        reply = api.request("GET", connectors_path(ORG), token=token)
        assert reply.status == 401
        assert_error(reply.json(), ErrorCode.INVALID_TOKEN)


def test_auth_header_name_is_case_insensitive_like_http(api: RawApi) -> None:
    token = api.login()
    reply = api.request("GET", connectors_path(ORG), headers={"AUTHTOKEN": token})
    assert reply.status == 200


def test_tokens_expire_after_the_session_timeout() -> None:
    now = [1000.0]
    with Emulator(session_timeout=60, clock=lambda: now[0]) as emulator:
        api = RawApi(emulator)
        login = api.request("PUT", LOGIN_PATH, {"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD})
        assert login.json()["sessionTimeoutInSeconds"] == 60
        token = login.json()["authenticationToken"]
        now[0] += 59
        assert api.request("GET", connectors_path(ORG), token=token).status == 200
        now[0] += 1
        expired = api.request("GET", connectors_path(ORG), token=token)
        assert expired.status == 401
        assert_error(expired.json(), ErrorCode.INVALID_TOKEN)
        assert "expired" in expired.json()["errorMessage"]
        assert api.request("GET", connectors_path(ORG), token=api.login()).status == 200


def test_expire_tokens_control_invalidates_earlier_tokens_only(api: RawApi, emulator: Emulator) -> None:
    old = api.login()
    emulator.expire_tokens()
    assert api.request("GET", connectors_path(ORG), token=old).status == 401
    assert api.request("GET", connectors_path(ORG), token=api.login()).status == 200


# --- organisations -----------------------------------------------------------------------------


def test_unknown_org_and_other_users_org_are_404() -> None:
    users = [User("a@example.com", "pw-a", "10001"), User("b@example.com", "pw-b", "10002")]
    with Emulator(users=users) as emulator:
        api = RawApi(emulator)
        token_a = api.login("a@example.com", "pw-a")
        token_b = api.login("b@example.com", "pw-b")
        api.register(token_a, "Mine")
        for org, token in (("10002", token_a), ("99999", token_a), ("10001", token_b)):
            for method, path in (("GET", connectors_path(org)), ("DELETE", connector_path(org, "4471"))):
                reply = api.request(method, path, token=token)
                assert reply.status == 404, (org, method)
                assert_error(reply.json(), ErrorCode.ORG_NOT_FOUND)
        listed = api.request("GET", connectors_path("10002"), token=token_b).json()
        assert listed["registeredConnectorList"] == []
        assert [r.name for r in emulator.registrations("10001")] == ["Mine"]


def test_default_org_of_a_user_comes_from_the_user() -> None:
    with Emulator(users=[User("ops@example.com", "pw", "20002")]) as emulator:
        reply = RawApi(emulator).request("PUT", LOGIN_PATH, {"email": "ops@example.com", "password": "pw"})
        assert reply.json()["defaultOrgId"] == "20002"
        assert reply.json()["orgAttrs"][0]["orgId"] == "20002"


# --- register and list -------------------------------------------------------------------------


def test_register_reply_is_shaped_as_documented(api: RawApi) -> None:
    data = api.register(api.login(), "Dropbox", "1.0.0")
    assert list(data) == REGISTER_KEYS
    assert all(isinstance(data[key], str) for key in REGISTER_KEYS[2:])
    uuid.UUID(data["key"])
    uuid.UUID(data["secret"])
    assert data["key"] != data["secret"]
    reg = Registration.from_wire(data, name="Dropbox", version="1.0.0")
    assert int(reg.function_entity_start_id) == int(reg.endpoint_entity_id) + 1
    assert int(reg.function_entity_end_id) == int(reg.endpoint_entity_id) + 99
    assert len(reg.function_range) == 99


def test_ids_are_allocated_like_harmony(api: RawApi) -> None:
    token = api.login()
    first, second, third = (api.register(token, "Same", "1.0.0") for _ in range(3))
    assert int(second["id"]) == int(first["id"]) + 1 and int(third["id"]) == int(second["id"]) + 1
    assert int(second["endpointEntityId"]) == int(first["functionEntityEndId"]) + 1
    assert int(third["endpointEntityId"]) == int(second["functionEntityEndId"]) + 1
    assert len({first["key"], second["key"], third["key"]}) == 3
    assert len({first["secret"], second["secret"], third["secret"]}) == 3


def test_registering_twice_creates_two_registrations(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    api.register(token, "Dropbox", "1.0.0")
    api.register(token, "Dropbox", "1.0.0")
    listed = api.request("GET", connectors_path(ORG), token=token).json()["registeredConnectorList"]
    assert [(c["name"], c["version"]) for c in listed] == [("Dropbox", "1.0.0")] * 2
    assert len({c["id"] for c in listed}) == 2
    assert len(emulator.registrations()) == 2


def test_list_is_shaped_as_documented(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    empty = api.request("GET", connectors_path(ORG), token=token).json()
    assert empty == {"status": True, "operation": empty["operation"], "registeredConnectorList": []}
    registered = api.register(token, "Dropbox", "1.0.0")
    data = api.request("GET", connectors_path(ORG), token=token).json()
    assert data["status"] is True and data["operation"]
    [item] = data["registeredConnectorList"]
    assert list(item) == [
        "id",
        "name",
        "version",
        "key",
        "secret",
        "endpointEntityId",
        "functionEntityStartId",
        "functionEntityEndId",
    ]
    assert item == {**{k: registered[k] for k in REGISTER_KEYS[2:]}, "name": "Dropbox", "version": "1.0.0"}
    assert emulator.registrations() == [Registration.from_wire(item)]


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'"Dropbox"',
        {"name": "Dropbox"},
        {"version": "1.0.0"},
        {"name": "", "version": "1.0.0"},
        {"name": 5, "version": "1.0.0"},
        {"name": "a/b", "version": "1.0.0"},
        {"name": "a\nb", "version": "1.0.0"},
    ],
)
def test_bad_register_body_is_400_and_registers_nothing(
    api: RawApi, emulator: Emulator, body: object
) -> None:
    reply = api.request("POST", connectors_path(ORG), body, token=api.login())
    assert reply.status == 400
    assert_error(reply.json(), ErrorCode.BAD_REQUEST)
    assert emulator.registrations() == []


def test_parallel_registers_get_distinct_ids(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    results: list[dict[str, object]] = []

    def register() -> None:
        results.append(api.register(token, "Parallel"))

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r["id"] for r in results}) == 8
    assert len({r["endpointEntityId"] for r in results}) == 8
    ranges = sorted(
        (int(str(r["functionEntityStartId"])), int(str(r["functionEntityEndId"]))) for r in results
    )
    assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(ranges))
    assert len(emulator.registrations()) == 8


# --- delete registration and payload -----------------------------------------------------------


def test_delete_registration(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    keep, gone = api.register(token, "Keep"), api.register(token, "Gone")
    reply = api.request("DELETE", connector_path(ORG, gone["id"]), token=token)
    assert reply.status == 200
    assert reply.json()["status"] is True and reply.json()["operation"]
    assert [r.id for r in emulator.registrations()] == [keep["id"]]
    again = api.request("DELETE", connector_path(ORG, gone["id"]), token=token)
    assert again.status == 404
    assert_error(again.json(), ErrorCode.CONNECTOR_NOT_FOUND)


@pytest.mark.parametrize("which", ["delete", "delete_payload"])
def test_unknown_connector_is_404(api: RawApi, which: str) -> None:
    path = connector_path(ORG, "999999") if which == "delete" else payload_path(ORG, "999999")
    reply = api.request("DELETE", path, token=api.login())
    assert reply.status == 404
    assert_error(reply.json(), ErrorCode.CONNECTOR_NOT_FOUND)


@pytest.mark.parametrize("which", ["delete", "delete_payload"])
def test_delete_of_a_connector_in_use_is_refused(api: RawApi, emulator: Emulator, which: str) -> None:
    token = api.login()
    reg = api.register(token)
    emulator.set_in_use(reg["id"])
    path = connector_path(ORG, reg["id"]) if which == "delete" else payload_path(ORG, reg["id"])
    reply = api.request("DELETE", path, token=token)
    assert reply.status == 409
    assert_error(reply.json(), ErrorCode.CONNECTOR_IN_USE)
    assert [r.id for r in emulator.registrations()] == [reg["id"]]
    emulator.set_in_use(reg["id"], False)
    assert api.request("DELETE", path, token=token).status == 200


def test_validate_caches_the_payload_and_delete_payload_clears_it(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    reg = api.register(token)
    assert not emulator.payload_cached(reg["id"])  # register uploads no UI file
    body = {"name": "Dropbox", "key": reg["key"], "secret": reg["secret"]}
    assert api.request("PUT", validate_path(ORG), body, token=token).json()["status"] is True
    assert emulator.payload_cached(reg["id"])
    reply = api.request("DELETE", payload_path(ORG, reg["id"]), token=token)
    assert reply.status == 200 and reply.json()["status"] is True
    assert not emulator.payload_cached(reg["id"])
    assert [r.id for r in emulator.registrations()] == [reg["id"]]  # the registration stays
    # Deleting a payload that is not cached is harmless, so "make sure it is gone" can be repeated.
    assert api.request("DELETE", payload_path(ORG, reg["id"]), token=token).status == 200


def test_removing_completely_takes_both_deletes_in_either_order(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    reg = api.register(token)
    body = {"name": "Dropbox", "key": reg["key"], "secret": reg["secret"]}
    api.request("PUT", validate_path(ORG), body, token=token)
    assert api.request("DELETE", connector_path(ORG, reg["id"]), token=token).status == 200
    assert emulator.registrations() == []
    assert api.request("DELETE", payload_path(ORG, reg["id"]), token=token).status == 200
    again = api.request("DELETE", payload_path(ORG, reg["id"]), token=token)
    assert again.status == 404
    assert_error(again.json(), ErrorCode.CONNECTOR_NOT_FOUND)


# --- validate ----------------------------------------------------------------------------------


def test_validate_accepts_the_registered_pair(api: RawApi) -> None:
    token = api.login()
    reg = api.register(token)
    reply = api.request(
        "PUT",
        validate_path(ORG),
        {"name": "Dropbox", "key": reg["key"], "secret": reg["secret"]},
        token=token,
    )
    assert reply.status == 200
    assert reply.json() == {"status": True, "operation": reply.json()["operation"]}


@pytest.mark.parametrize("wrong", ["name", "key", "secret"])
def test_validate_rejects_a_wrong_value_with_status_false(
    api: RawApi, emulator: Emulator, wrong: str
) -> None:
    token = api.login()
    reg = api.register(token)
    body = {"name": "Dropbox", "key": reg["key"], "secret": reg["secret"]}
    body[wrong] = "canary-wrong-value"
    reply = api.request("PUT", validate_path(ORG), body, token=token)
    assert reply.status == 200  # a well-formed question answered "no"; never 401
    assert_error(reply.json(), ErrorCode.INVALID_SECURITY_INFO)
    assert b"canary-wrong-value" not in reply.body or wrong == "name"
    assert reg["secret"].encode() not in reply.body and reg["key"].encode() not in reply.body
    assert not emulator.payload_cached(reg["id"])


def test_validate_with_a_malformed_body_is_400(api: RawApi) -> None:
    token = api.login()
    for body in (b"{", {"name": "Dropbox", "key": "k"}):
        reply = api.request("PUT", validate_path(ORG), body, token=token)
        assert reply.status == 400
        assert_error(reply.json(), ErrorCode.BAD_REQUEST)


# --- Postman quirks, unknown paths, framing ----------------------------------------------------


def test_get_and_delete_with_json_content_type_and_empty_body(api: RawApi) -> None:
    """Jitterbit's Postman collection sends both with Content-Type: application/json and no body."""
    token = api.login()
    reg = api.register(token)
    listed = api.request("GET", connectors_path(ORG), b"", token=token)
    assert listed.status == 200
    assert api.request("DELETE", connector_path(ORG, reg["id"]), b"{}", token=token).status == 200


def test_unknown_paths_are_404_and_wrong_methods_405(api: RawApi, emulator: Emulator) -> None:
    token = api.login()
    emulator.reset_counts()
    for path, raw in (
        ("orgs/10001/connectors", False),
        ("/elsewhere", True),
        ("orgs/10001/connector/", False),
    ):
        reply = api.request("GET", path, token=token, raw_path=raw)
        assert reply.status == 404, path
        assert_error(reply.json(), ErrorCode.BAD_REQUEST)
    wrong = api.request("PUT", connectors_path(ORG), {}, token=token)
    assert wrong.status == 405
    assert wrong.headers["Allow"] == "POST, GET"
    assert api.request("GET", LOGIN_PATH).status == 405
    assert emulator.counts()["other"] == 5
    assert emulator.counts()["list"] == 0


def test_chunked_request_bodies_are_read(emulator: Emulator) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    body = iter([b'{"email": "demo@example.com", ', b'"password": "demo-password"}'])
    conn.request(
        "PUT",
        "/jitterbit-cloud-restful-service/" + LOGIN_PATH,
        body=body,
        headers={"Content-Type": "application/json"},
        encode_chunked=True,
    )
    reply = conn.getresponse()
    assert reply.status == 200, reply.read()
    conn.close()


def test_huge_body_is_refused(api: RawApi) -> None:
    reply = api.request("PUT", LOGIN_PATH, b" " * (2 << 20))
    assert reply.status == 413


def test_keep_alive_connection_serves_several_requests(emulator: Emulator) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    for _ in range(3):
        conn.request("GET", "/jitterbit-cloud-restful-service/" + connectors_path(ORG))
        reply = conn.getresponse()
        reply.read()
        assert reply.status == 401
    conn.close()


# --- secrets -----------------------------------------------------------------------------------


def test_no_secret_in_logs_or_reprs(
    api: RawApi, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hatch_harmony.emulator")
    token = api.login()
    reg = api.register(token)
    body = {"name": "Dropbox", "key": reg["key"], "secret": reg["secret"]}
    api.request("PUT", validate_path(ORG), body, token=token)
    api.request("PUT", LOGIN_PATH, {"email": DEFAULT_EMAIL, "password": "canary-pw-123"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "connector" in logged  # requests are logged...
    for secret in (token, reg["key"], reg["secret"], "canary-pw-123", DEFAULT_PASSWORD):
        assert secret not in logged  # ...without a token, password, key or secret
    shown = repr(User("x@example.com", "canary-pw-123")) + repr(emulator.registrations()) + repr(emulator)
    assert "canary-pw-123" not in shown and reg["secret"] not in shown and reg["key"] not in shown


def test_stop_closes_idle_keep_alive_connections(tmp_path: Path) -> None:
    import http.client

    emulator = Emulator().start()
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=30)
    conn.request("GET", "/jitterbit-cloud-restful-service/" + connectors_path(ORG))
    conn.getresponse().read()
    emulator.stop()
    emulator.stop()  # idempotent
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        conn.request("GET", "/jitterbit-cloud-restful-service/" + connectors_path(ORG))
        conn.getresponse()
    conn.close()
    with pytest.raises(RuntimeError):
        _ = emulator.url
