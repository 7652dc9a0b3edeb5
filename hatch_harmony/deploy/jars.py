"""Connector jars as an agent sees them: which connector a jar is, its `Version`, its content digest.

Why read manifests rather than file names: an agent loads every `*.jar` of its folder
whose manifest says `Jitterbit-Connector: true`, whatever the file is called, and a
folder holds jars copied by hand, by Jitterbit's build.sh or by older releases. Two jars
are the same connector when they carry the same connector key, or the same adapter name
(the `name` of the adapter.json that `Jitterbit-Connector-UI` names inside the jar).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from hatch_harmony.errors import HarmonyError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project import connector_manifest as cm
from hatch_harmony.vocabulary import (
    CONNECTOR,
    CONNECTOR_UI,
    ENDPOINT_ID,
    KEY,
    activity_attribute_name,
    is_placeholder,
)

MANIFEST_NAME = "META-INF/MANIFEST.MF"
#: The manifest attribute whose change makes an agent reload a connector (Jitterbit's PACKAGING.md).
VERSION = "Version"


@dataclass(frozen=True)
class ConnectorJar:
    """What matters of one connector jar for deploying it. The key is compared, never shown."""

    name: str  # the file name
    digest: str  # sha256 of the whole file
    adapter_name: str | None
    version: str | None  # the manifest's `Version`
    endpoint_id: str | None
    key: str | None = field(repr=False)
    placeholders: tuple[str, ...] = ()  # registration attributes still holding a placeholder
    manifest: Manifest | None = field(default=None, repr=False, compare=False)

    def same_connector(self, other: ConnectorJar) -> bool:
        """Same key, or same adapter name: either makes the agent see one connector twice."""
        if self.key is not None and self.key == other.key:
            return True
        return self.adapter_name is not None and self.adapter_name == other.adapter_name


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_connector_jar(name: str, data: bytes) -> ConnectorJar | None:
    """The connector jar `data` holds, or None when it is no zip or no connector (the agent skips it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = {n.upper(): n for n in archive.namelist()}
            if MANIFEST_NAME not in entries:
                return None
            manifest = Manifest.parse(archive.read(entries[MANIFEST_NAME]), source=f"{name}!/{MANIFEST_NAME}")
            if (manifest.get(CONNECTOR) or "").strip().lower() != "true":
                return None
            adapter_name = _adapter_name(archive, manifest.get(CONNECTOR_UI) or "adapter.json")
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, HarmonyError):
        return None
    key = manifest.get(KEY)
    endpoint = manifest.get(ENDPOINT_ID)
    values = {KEY: key, ENDPOINT_ID: endpoint} | {
        activity_attribute_name(activity): value for activity, value in cm.activity_values(manifest).items()
    }
    placeholders = tuple(attr for attr, value in values.items() if value is None or is_placeholder(value))
    return ConnectorJar(
        name=name,
        digest=digest_of(data),
        adapter_name=adapter_name,
        version=manifest.get(VERSION),
        endpoint_id=None if endpoint is None or is_placeholder(endpoint) else endpoint.strip(),
        key=None if key is None or is_placeholder(key) else key.strip(),
        placeholders=placeholders,
        manifest=manifest,
    )


def read_jar_file(path: Path) -> ConnectorJar | None:
    try:
        return read_connector_jar(path.name, path.read_bytes())
    except OSError:
        return None


def _adapter_name(archive: zipfile.ZipFile, ui_file: str) -> str | None:
    try:
        data = json.loads(archive.read(ui_file.strip()))
    except (KeyError, ValueError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name.strip() else None
