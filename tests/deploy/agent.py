"""A stand-in private agent: scans a connector folder the documented way, with none of our code.

An agent loads every `*.jar` of its folder whose manifest says `Jitterbit-Connector: true`
(one connector per jar); a connector is known by the adapter.json the manifest names in
`Jitterbit-Connector-UI`. `loaded` returns the jars of each connector, so a test can prove
the folder holds exactly one per connector.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path


def main_section(data: bytes) -> dict[str, str]:
    """The main section of a MANIFEST.MF (continuation lines start with one space)."""
    attributes: dict[str, str] = {}
    last = None
    for line in data.decode("utf-8").replace("\r\n", "\n").split("\n"):
        if not line:
            if attributes:
                break
            continue
        if line.startswith(" ") and last is not None:
            attributes[last] += line[1:]
            continue
        name, _, value = line.partition(": ")
        attributes[name.lower()] = value
        last = name.lower()
    return attributes


def loaded(folder: Path) -> dict[str, list[str]]:
    """Connector name -> the `*.jar` files an agent would load for it (sorted)."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix != ".jar" or not path.is_file():
            continue
        try:
            with zipfile.ZipFile(path) as archive:
                manifest = main_section(archive.read("META-INF/MANIFEST.MF"))
                if manifest.get("jitterbit-connector", "").lower() != "true":
                    continue
                ui = json.loads(archive.read(manifest.get("jitterbit-connector-ui", "adapter.json")))
        except (zipfile.BadZipFile, KeyError, FileNotFoundError):
            continue  # an agent skips what it cannot read as a connector jar (or what was renamed away)
        found.setdefault(ui["name"], []).append(path.name)
    return found


def one_jar_each(folder: Path) -> dict[str, str]:
    """Connector name -> its one loaded jar; fails when a connector has two."""
    jars = loaded(folder)
    assert all(len(names) == 1 for names in jars.values()), jars
    return {name: names[0] for name, names in jars.items()}


def digests(folder: Path) -> dict[str, str]:
    """Every file's sha256, for before/after comparisons."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }
