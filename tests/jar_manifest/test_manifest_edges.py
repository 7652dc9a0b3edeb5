"""Edges of the manifest model: a rename is checked like a set; a manifest's source is no part of it."""

from __future__ import annotations

import pytest

from hatch_harmony.jar_manifest import Manifest, ManifestError


def test_a_rename_to_an_invalid_attribute_name_is_refused_and_changes_nothing() -> None:
    manifest = Manifest.parse(b"Manifest-Version: 1.0\nAuthor: Acme\n")
    with pytest.raises(ManifestError):
        manifest.main.rename("Author", "Bad Name")  # a space: no attribute name
    with pytest.raises(ManifestError):
        manifest.main.rename("Author", "A" * 71)  # past the 70-byte limit
    assert manifest.main.items() == [("Manifest-Version", "1.0"), ("Author", "Acme")]
    assert manifest.main.rename("Author", "Created-By") is True
    assert manifest.main.items() == [("Manifest-Version", "1.0"), ("Created-By", "Acme")]


def test_manifests_with_the_same_content_are_equal_wherever_they_came_from() -> None:
    data = b"Manifest-Version: 1.0\nAuthor: Acme\n"
    assert Manifest.parse(data, source="MANIFEST.MF.in") == Manifest.parse(data, source="build/MANIFEST.MF")


def test_a_section_needs_the_blank_line_even_at_the_start_of_the_file() -> None:
    with pytest.raises(ManifestError, match="put a blank line before it to start a section"):
        Manifest.parse(b"Name: com/example/\nSealed: true\n")
    started = Manifest.parse(b"\nName: com/example/\nSealed: true\n")  # no main attributes, one section
    assert started.main.items() == [] and [s.name for s in started.sections] == ["com/example/"]
