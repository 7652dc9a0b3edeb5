"""A list whose entries come without `key` and `secret` (replies.py, client.py).

A server may keep them write-once and show them only in the register reply. An entry
without them is neither malformed nor a registration with an empty key: a caller that
needs the key gets one message naming the connector and what to do; a lookup that needs
only ids (`listed`) still works. The engine against such a server: test_server_variations.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hatch_harmony.api.errors import MalformedReplyError
from hatch_harmony.api.replies import KeyNotListedError, Listed
from tests.client_fakes import CANARIES, KEY, SECRET, FakeHarmony, login_reply, make_client, ok


def entry(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "4471",
        "name": "Dropbox",
        "version": "1.0.0",
        "key": KEY,
        "secret": SECRET,
        "endpointEntityId": "2370701",
        "functionEntityStartId": "2370702",
        "functionEntityEndId": "2370800",
    }
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


def listing(*items: dict[str, Any]) -> httpx.Response:
    return ok("List registered connectors", registeredConnectorList=list(items))


KEYLESS = entry(key=None, secret=None)
OTHER = entry(id="4480", name="Box", key="box-key-11", secret="box-secret-22")


@pytest.mark.parametrize(
    "ours",
    [KEYLESS, entry(key=None), entry(secret=None), {**entry(), "key": None, "secret": None}],
    ids=["both-missing", "key-missing", "secret-missing", "both-null"],
)
def test_finding_our_entry_without_its_key_is_one_clear_message(ours: dict[str, Any]) -> None:
    fake = FakeHarmony(login_reply(), listing(OTHER, ours))
    with make_client(fake) as client, pytest.raises(KeyNotListedError) as caught:
        client.find("Dropbox", "1.0.0")
    message = str(caught.value)
    for words in (
        "'Dropbox' version '1.0.0' (id 4471) in org 10001 without its key and secret",
        "HARMONY_CONNECTOR_KEY and HARMONY_CONNECTOR_SECRET",
        "hatch-harmony delete --registration --id 4471",
    ):
        assert words in message
    assert not any(canary in message for canary in CANARIES)
    assert "box-key-11" not in message


@pytest.mark.parametrize("value", ["", "   ", "****", True])
def test_an_empty_or_masked_key_stays_a_malformed_entry(value: object) -> None:
    """Never mistaken for a key that is simply not listed (nor adopted as an empty key)."""
    fake = FakeHarmony(login_reply(), listing(entry(key=value)))
    with make_client(fake) as client, pytest.raises(MalformedReplyError) as caught:
        client.find("Dropbox", "1.0.0")
    assert not isinstance(caught.value, KeyNotListedError)
    assert "registeredConnectorList[0]: field 'key'" in str(caught.value)


def test_another_connector_listed_without_its_key_does_not_stop_finding_ours() -> None:
    fake = FakeHarmony(login_reply(), listing(entry(id="4480", name="Box", key=None, secret=None), entry()))
    with make_client(fake) as client:
        [found] = client.find("Dropbox", "1.0.0")
    assert (found.id, found.key, found.secret) == ("4471", KEY, SECRET)


def test_not_finding_a_connector_is_not_an_error_even_if_others_lack_keys() -> None:
    fake = FakeHarmony(login_reply(), listing(KEYLESS))
    with make_client(fake) as client:
        assert client.find("Salesforce") == []


def test_the_strict_list_refuses_a_keyless_entry_with_the_same_message() -> None:
    fake = FakeHarmony(login_reply(), listing(OTHER, KEYLESS))
    with make_client(fake) as client, pytest.raises(KeyNotListedError, match=r"\(id 4471\)"):
        client.list_connectors()


def test_a_lookup_by_id_works_without_keys() -> None:
    fake = FakeHarmony(login_reply(), listing(OTHER, KEYLESS))
    with make_client(fake) as client:
        listed = client.listed()
    assert listed == [
        Listed("4480", "Box", "1.0.0", "2370701", "2370702", "2370800", keys_listed=True),
        Listed("4471", "Dropbox", "1.0.0", "2370701", "2370702", "2370800", keys_listed=False),
    ]
    assert not hasattr(listed[1], "key")  # nothing to mistake for an empty key
    assert "box-key-11" not in repr(listed)


def test_a_lookup_by_id_still_refuses_a_malformed_entry() -> None:
    fake = FakeHarmony(login_reply(), listing(entry(key=None, endpointEntityId="x")))
    with make_client(fake) as client, pytest.raises(MalformedReplyError, match="endpointEntityId"):
        client.listed()
