"""A package index on 127.0.0.1 for isolated builds, made from this venv's own distributions.

An isolated build (`python -m build`, `hatch build`, `pip wheel`, `uv build` without
`--no-build-isolation`) installs the build requirements afresh from a package index. Tests never
reach the real one, so this module stands one up on loopback: each distribution the isolated
environments need (hatchling, hatch-harmony's dependencies, and what they require, for this
interpreter's markers) is packed back into a wheel from the files this venv installed
(its RECORD), at the version installed here, and served in the PEP 503 "simple" layout by
`http.server`, whose directory listings are exactly the links pip and uv read. hatch-harmony
itself is deliberately absent: the README's Installing section provides it from a wheel folder.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import http.server
import io
import os
import re
import sys
import threading
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

#: What isolated environments install: a connector's build-system requirements (less hatch-harmony,
#: which comes from the wheel folder) and hatch-harmony's own (pre-commit's hook venv installs it).
ROOTS = ("hatchling", "filelock", "httpx", "tomli-w", "tomli")
#: Written by the installer, not part of a wheel.
INSTALLER_FILES = {"INSTALLER", "RECORD", "REQUESTED", "direct_url.json"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: tuple[str, ...] = ROOTS) -> list[metadata.Distribution]:
    """The installed distributions `roots` need on this interpreter, themselves included."""
    environment = {**default_environment(), "extra": ""}
    seen: dict[str, metadata.Distribution] = {}
    pending = list(roots)
    while pending:
        name = normalize(pending.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a root such as tomli that this Python does not need
        seen[name] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                pending.append(requirement.name)
    return list(seen.values())


def repack(dist: metadata.Distribution, folder: Path) -> Path:
    """A wheel of `dist` rebuilt from its installed files (pure Python; installers regenerate scripts)."""
    info = next(f for f in dist.files or [] if f.name == "WHEEL" and f.parent.name.endswith(".dist-info"))
    tag = re.search(r"^Tag: (\S+)$", info.read_text(), flags=re.M)
    assert tag is not None, f"{dist.metadata['Name']}: no Tag in its WHEEL file"
    stem = f"{normalize(dist.metadata['Name']).replace('-', '_')}-{dist.version}"
    record_name = f"{info.parent.as_posix()}/RECORD"
    rows: list[tuple[str, str, str]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for entry in dist.files or []:
            name = entry.as_posix()
            if name.startswith("..") or "__pycache__" in entry.parts or entry.suffix == ".pyc":
                continue
            if entry.parent.name.endswith(".dist-info") and entry.name in INSTALLER_FILES:
                continue
            data = Path(str(dist.locate_file(entry))).read_bytes()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            wheel.writestr(name, data)
            rows.append((name, f"sha256={digest}", str(len(data))))
        record = io.StringIO()
        csv.writer(record, lineterminator="\n").writerows([*rows, (record_name, "", "")])
        wheel.writestr(record_name, record.getvalue())
    target = folder / normalize(dist.metadata["Name"]) / f"{stem}-{tag.group(1)}.whl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target


def build_index(folder: Path, roots: tuple[str, ...] = ROOTS) -> Path:
    """`folder/simple/<name>/<wheel>` for every distribution of `closure(roots)`; returns `folder/simple`."""
    simple = folder / "simple"
    for dist in closure(roots):
        repack(dist, simple)
    return simple


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The frontends' own output says what they fetched."""


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """pip and uv hang up mid-download when they have what they need: not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextlib.contextmanager
def serve(simple: Path) -> Iterator[str]:
    """Serve `simple` on 127.0.0.1; yields the index URL (…/simple/)."""

    def handler(*args: object, **kwargs: object) -> _Quiet:
        return _Quiet(*args, directory=str(simple.parent), **kwargs)  # type: ignore[arg-type]

    server = _Server(("127.0.0.1", 0), handler)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def isolated_env(base: Path, index_url: str, **extra: str) -> dict[str, str]:
    """This process's environment for frontends that install from `index_url` and nothing else.

    No HARMONY_*, HATCH_*, PIP_* or UV_* of the caller's; the machine's pip and uv configuration
    files are not read; hatch keeps its state under `base`; proxies point at a closed port, so a
    request to any host but 127.0.0.1 fails instead of leaving the machine.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARMONY_", "HATCH_", "PIP_", "UV_"))}
    for name in ("http_proxy", "https_proxy", "no_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    (base / "hatch-config.toml").touch()
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_INDEX_URL=index_url,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_NO_CONFIG="1",
        UV_INDEX_URL=index_url,
        UV_CACHE_DIR=str(base / "uv-cache"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        HATCH_CONFIG=str(base / "hatch-config.toml"),
        HATCH_DATA_DIR=str(base / "hatch-data"),
        HATCH_CACHE_DIR=str(base / "hatch-cache"),
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1",
    )
    env.update(extra)
    return env
