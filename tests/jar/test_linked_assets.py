"""A link to the generated manifest under another name is the manifest: never packed into the jar.

The jar ships its manifest only as META-INF/MANIFEST.MF; a generated manifest anywhere else
(another environment's, with another secret) is refused. A symlink or a hard link named
`readme.txt` is that file under another name, so links are read by content whatever their
name; ordinary files that are not `*.MF` are not read (the walk stays cheap).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hatch_harmony.errors import ConfigError
from tests.jar.test_builder import HOOK_MANIFEST, SECRET, _entry_names, _fake_classes, _plan, make_project


def generated(root: Path, env: str = "prod") -> Path:
    manifest = root / "build" / "harmony" / env / "MANIFEST.MF"
    manifest.parent.mkdir(parents=True)
    manifest.write_bytes(HOOK_MANIFEST.replace(SECRET.encode(), b"prod-secret-canary-78"))
    return manifest


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_link_to_a_generated_manifest_in_the_assets_is_refused(link: str, tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _fake_classes(root / "target" / "classes")
    manifest = generated(root)
    readme = root / "assets" / "readme.txt"
    if link == "symlink":
        readme.symlink_to(manifest)
    else:
        os.link(manifest, readme)
    with pytest.raises(ConfigError) as raised:
        _plan(root, {"classes": "target/classes", "assets": ["assets"]})
    message = raised.value.message
    assert "assets/readme.txt is a generated manifest holding a connector secret" in message
    assert "prod-secret-canary-78" not in message


def test_a_symlinked_asset_that_is_no_manifest_is_packed(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    _fake_classes(root / "target" / "classes")
    (root / "docs").mkdir()
    (root / "docs" / "guide.txt").write_text("How to use it.\n", encoding="utf-8")
    (root / "assets" / "guide.txt").symlink_to(root / "docs" / "guide.txt")
    plan = _plan(root, {"classes": "target/classes", "assets": ["assets"]})
    assert "assets/guide.txt" in _entry_names(plan.entries)
