"""The reproducible jar writer: order, bytes, modes, atomicity, streaming, and the JDK reading it."""

from __future__ import annotations

import os
import shutil
import stat
import struct
import subprocess
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hatch_harmony.jar.archive import (
    DEFAULT_EPOCH,
    ZIP_MAX_EPOCH,
    ZIP_MIN_EPOCH,
    JarEntry,
    check_entry_name,
    write_jar,
    zip_date_time,
)

MANIFEST = b"Manifest-Version: 1.0\r\nJitterbit-Connector: true\r\n\r\n"
needs_jdk = pytest.mark.skipif(shutil.which("javac") is None, reason="needs a JDK (javac not on PATH)")


def _tree(base: Path, files: dict[str, bytes]) -> list[JarEntry]:
    entries = []
    for name, data in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries.append(JarEntry.from_file(name, path))
    return entries


FILES = {
    "com/example/weather/Connector.class": b"\xca\xfe\xba\xbe" + bytes(range(256)) * 4,
    "com/example/weather/Api.class": b"\xca\xfe\xba\xbe api",
    "adapter.json": b'{"name": "Weather"}\n',
    "lib/dep-1.0.jar": b"PK not really a jar",
    "assets/icons/sun.svg": b"<svg/>",
}


def test_manifest_first_then_sorted_entries_with_parent_folders(tmp_path: Path) -> None:
    # Given in an order that is neither sorted nor the on-disk order.
    entries = list(reversed(_tree(tmp_path / "src", FILES)))
    jar = write_jar(tmp_path / "dist" / "x.jar", MANIFEST, entries, epoch=DEFAULT_EPOCH)

    with zipfile.ZipFile(jar) as zf:
        names = zf.namelist()
        assert zf.read("META-INF/MANIFEST.MF") == MANIFEST
        for name, data in FILES.items():
            assert zf.read(name) == data
    assert names == [
        "META-INF/",
        "META-INF/MANIFEST.MF",
        "adapter.json",
        "assets/",
        "assets/icons/",
        "assets/icons/sun.svg",
        "com/",
        "com/example/",
        "com/example/weather/",
        "com/example/weather/Api.class",
        "com/example/weather/Connector.class",
        "lib/",
        "lib/dep-1.0.jar",
    ]


def test_same_inputs_same_bytes_whatever_the_files_mtime_and_mode(tmp_path: Path) -> None:
    first = _tree(tmp_path / "a", FILES)
    second = _tree(tmp_path / "b", FILES)
    for i, entry in enumerate(second):
        assert entry.source is not None
        entry.source.chmod(0o700 if i % 2 else 0o600)
        os.utime(entry.source, (1_700_000_000 + i, 1_700_000_000 + i))
    one = write_jar(tmp_path / "one.jar", MANIFEST, first, epoch=DEFAULT_EPOCH).read_bytes()
    two = write_jar(tmp_path / "two.jar", MANIFEST, reversed(second), epoch=DEFAULT_EPOCH).read_bytes()
    assert one == two


def test_epoch_sets_every_entry_time_and_changes_the_bytes(tmp_path: Path) -> None:
    entries = _tree(tmp_path / "src", FILES)
    default = write_jar(tmp_path / "a.jar", MANIFEST, entries, epoch=DEFAULT_EPOCH)
    later = write_jar(tmp_path / "b.jar", MANIFEST, entries, epoch=1_700_000_000)  # 2023-11-14 22:13:20 UTC
    assert default.read_bytes() != later.read_bytes()
    with zipfile.ZipFile(default) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 2, 1, 0, 0, 0)}
    with zipfile.ZipFile(later) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_zip_date_time_is_utc_and_clamped() -> None:
    assert DEFAULT_EPOCH == 318_211_200
    assert zip_date_time(DEFAULT_EPOCH) == (1980, 2, 1, 0, 0, 0)
    assert zip_date_time(0) == (1980, 1, 1, 0, 0, 0)
    assert zip_date_time(2**40) == (2107, 12, 31, 23, 59, 58)
    assert zip_date_time(ZIP_MIN_EPOCH) == zip_date_time(-1) == (1980, 1, 1, 0, 0, 0)
    assert zip_date_time(ZIP_MAX_EPOCH) == zip_date_time(ZIP_MAX_EPOCH + 2)


def _local_extra_length(raw: bytes, info: zipfile.ZipInfo) -> int:
    # Local file header: signature, versions, flags, method, time, date, crc, sizes, name len, extra len.
    header = struct.unpack("<4s5H3L2H", raw[info.header_offset : info.header_offset + 30])
    assert header[0] == b"PK\x03\x04"
    return int(header[-1])


def test_fixed_modes_unix_host_no_extra_fields_deflate(tmp_path: Path) -> None:
    entries = _tree(tmp_path / "src", FILES)
    for entry in entries:
        assert entry.source is not None
        entry.source.chmod(0o755)  # executable on disk: still 0644 in the jar
    jar = write_jar(tmp_path / "x.jar", MANIFEST, entries, epoch=DEFAULT_EPOCH)
    raw = jar.read_bytes()
    with zipfile.ZipFile(jar) as zf:
        infos = zf.infolist()
    for info in infos:
        assert info.create_system == 3
        assert info.extra == b""
        assert _local_extra_length(raw, info) == 0
        assert info.flag_bits & 0x08 == 0  # sizes in the header, no data descriptor
        if info.is_dir():
            assert info.external_attr >> 16 == stat.S_IFDIR | 0o755
            assert info.compress_type == zipfile.ZIP_STORED
        else:
            assert info.external_attr >> 16 == stat.S_IFREG | 0o644
            assert info.compress_type == zipfile.ZIP_DEFLATED
    assert stat.S_IMODE(jar.stat().st_mode) == 0o644
    assert raw.endswith(b"\x00\x00")  # no archive comment


def test_failed_write_leaves_previous_jar_and_no_temp_file(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    entries = _tree(tmp_path / "src", FILES)
    jar = write_jar(dist / "x.jar", MANIFEST, entries, epoch=DEFAULT_EPOCH)
    before = jar.read_bytes()
    # Sorted after every other entry, so the archive is half written when it fails.
    missing = JarEntry.from_file("zzz/gone.class", tmp_path / "src" / "gone.class")
    with pytest.raises(FileNotFoundError):
        write_jar(dist / "x.jar", b"Manifest-Version: 1.0\r\n\r\n", [*entries, missing], epoch=DEFAULT_EPOCH)
    assert jar.read_bytes() == before
    assert sorted(p.name for p in dist.iterdir()) == ["x.jar"]


def test_files_are_streamed_not_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.jar"
    with big.open("wb") as out:
        for _ in range(12):
            out.write(os.urandom(1 << 20))  # incompressible: deflate output is as large
    entries = [JarEntry.from_file(f"lib/big{i}.jar", big) for i in range(2)]
    tracemalloc.start()
    try:
        jar = write_jar(tmp_path / "x.jar", MANIFEST, entries, epoch=DEFAULT_EPOCH)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert jar.stat().st_size > 2 * 12 * (1 << 20)
    # Reading one file whole would alone take 12 MiB; streaming holds a few 256 KiB chunks.
    assert peak < 5 * (1 << 20), f"peak Python memory {peak} bytes while bundling 24 MiB"
    with zipfile.ZipFile(jar) as zf:
        assert zf.read("lib/big1.jar") == big.read_bytes()


@pytest.mark.parametrize(
    "name", ["", "/abs.class", "dir/", "a\\b.class", "a//b", "./a", "a/../../etc/passwd", "nul\x00"]
)
def test_bad_entry_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="jar entry"):
        check_entry_name(name)


def test_conflicting_entries_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "x.jar"
    with pytest.raises(ValueError, match="two jar entries"):
        write_jar(target, MANIFEST, [JarEntry("a", data=b"1"), JarEntry("a", data=b"2")], epoch=0)
    with pytest.raises(ValueError, match="manifest argument"):
        write_jar(target, MANIFEST, [JarEntry("meta-inf/manifest.mf", data=b"x")], epoch=0)
    with pytest.raises(ValueError, match="both a file and a folder"):
        write_jar(target, MANIFEST, [JarEntry("a", data=b"1"), JarEntry("a/b", data=b"2")], epoch=0)
    with pytest.raises(ValueError, match="exactly one"):
        JarEntry("a")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@needs_jdk
@pytest.mark.java
def test_the_jdk_jar_tool_lists_and_extracts_it(tmp_path: Path) -> None:
    entries = _tree(tmp_path / "src", {**FILES, "com/example/wetter/Übersicht.txt": "ä€".encode()})
    jar = write_jar(tmp_path / "x.jar", MANIFEST, entries, epoch=DEFAULT_EPOCH)
    listing = subprocess.run(["jar", "tf", str(jar)], capture_output=True, check=True, text=True).stdout
    with zipfile.ZipFile(jar) as zf:
        assert listing.splitlines() == zf.namelist()
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(["jar", "xf", str(jar)], cwd=out, check=True)
    assert (out / "META-INF" / "MANIFEST.MF").read_bytes() == MANIFEST
    for name, _ in FILES.items():
        assert (out / name).read_bytes() == FILES[name]
    assert (out / "com/example/wetter/Übersicht.txt").read_text(encoding="utf-8") == "ä€"


def test_java_util_jar_reads_the_manifest_first(tmp_path: Path, java_manifest: Any) -> None:
    manifest = (
        b"Manifest-Version: 1.0\r\nJitterbit-Connector: true\r\n"
        b"Class-Path: lib/a.jar lib/b.jar\r\nAuthor: \xc3\x85se\r\n\r\n"
    )
    jar = write_jar(tmp_path / "x.jar", manifest, _tree(tmp_path / "src", FILES), epoch=DEFAULT_EPOCH)
    read = java_manifest(jar)
    assert read["manifestFirst"] is True
    assert read["entries"][:2] == ["META-INF/", "META-INF/MANIFEST.MF"]
    assert read["main"] == {
        "Manifest-Version": "1.0",
        "Jitterbit-Connector": "true",
        "Class-Path": "lib/a.jar lib/b.jar",
        "Author": "Åse",
    }
