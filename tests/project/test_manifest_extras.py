"""`attributes` written into the manifest: each refused with one message naming the attribute and problem."""

from __future__ import annotations

import pytest

from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project.connector_manifest import apply_registration


def apply(extra: dict[str, str]) -> Manifest:
    return apply_registration(
        Manifest.parse(b"Manifest-Version: 1.0\n"),
        key="k-1",
        secret="s-1",
        endpoint_entity_id="100",
        activity_ids={"fetch": 101},
        extra=extra,
    )


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"X-Note": "a\nb"}, "manifest attribute X-Note: the value contains a line feed"),
        ({"Bad Name": "x"}, "manifest attribute 'Bad Name' is not a valid attribute name"),
        ({"Jitterbit-Activity-EntityTypeId-x": "1"}, "is written by hatch-harmony from the registration"),
    ],
)
def test_an_unusable_extra_attribute_is_one_message_naming_it(extra: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as info:
        apply(extra)
    assert says in info.value.message, info.value.message
    assert info.value.message.count("X-Note") <= 1 and info.value.message.count("Bad Name") <= 1
    assert type(info.value) is ConfigError  # not a manifest error from deeper down


def test_a_usable_extra_attribute_is_written_last() -> None:
    assert apply({"Author": "Acme"}).main.items()[-1] == ("Author", "Acme")
