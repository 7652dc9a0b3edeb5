"""Conformance: JDK's java.util.jar reads back exactly what the writer meant.

Every test here runs through the `java_manifest` fixture (tests/plugins/java.py), one JVM
per test for all its files. Expected values are built from the inputs, never from our own
parser, so a reader bug cannot hide a writer bug.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given

from hatch_harmony import jar_manifest as jm
from hatch_harmony import vocabulary
from hatch_harmony.jar_manifest import Manifest, Section
from hatch_harmony.project import connector_manifest as cm
from tests.jar_manifest.test_manifest_props import SUITE, manifests
from tests.plugins.java import JavaCheckerError, JavaManifestReader
from tests.project.test_manifest_jitterbit import JARS, SAMPLE

Expected = tuple[list[tuple[str, str]], dict[str, dict[str, str]]]

WIDE = {"2-byte": "é", "3-byte": "中", "4-byte": "😀"}
EDGE_VALUES = {
    "Empty": "",
    "Spaces": " " * 300,
    "Padded": "  both sides  ",
    "Colons": "a: b: c:",
    "Tab": "a\tb",
    "Line-Separators": "x\u2028y\u2029z\u0085w\x0bv\x0cu",
    "Escape": "\x1b[0m",
    "Json": '{"a": [1, 2]}',
    "Starts-With-Space-At-Wrap": "x" * 69 + " " * 5 + "y",
}


def _main(attrs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(vocabulary.MANIFEST_VERSION, "1.0"), *attrs]


def corpus() -> dict[str, tuple[Manifest, Expected]]:
    """Manifests that stress the format, each with the attributes Java must read."""
    cases: dict[str, tuple[Manifest, Expected]] = {}

    jars = [f"lib/dependency-number-{n:03d}-{'x' * (n % 7)}-1.0.jar" for n in range(200)]
    m = Manifest()
    cm.set_class_path(m, jars)
    cases["long-class-path"] = (m, (_main([("Class-Path", " ".join(jars))]), {}))

    attrs = []
    for label, char in WIDE.items():
        for shift in range(4):  # moves the 72-byte boundary across every byte of the character
            attrs.append((f"Wide-{label}-{shift}", "a" * shift + char * 70))
    attrs.append(("Mixed", "aé中😀" * 40))
    section_name = "com/example/ünïcödé/" + "中" * 30
    m = Manifest(Section(None, attrs), [Section(section_name, [("Title", "é" * 80)])])
    cases["multibyte"] = (m, (_main(attrs), {section_name: {"Title": "é" * 80}}))

    long_name = "N" * 69 + "x"
    attrs = [(long_name, "v"), ("E" * 70, ""), ("L" * 70, "long value " * 20)]
    cases["name-70"] = (Manifest(Section(None, attrs)), (_main(attrs), {}))

    ids = {f"activity-{n:02d}": 20002 + n for n in range(99)}
    m = cm.apply_registration(
        Manifest.parse(SAMPLE), key="k-1", secret="s-2", endpoint_entity_id="20001", activity_ids=ids
    )
    expected_main = [
        (vocabulary.MANIFEST_VERSION, "1.0"),
        ("Author", "Jitterbit"),
        ("Version", "3.0.2"),
        (vocabulary.CONNECTOR, "true"),
        (vocabulary.KEY, "k-1"),
        (vocabulary.SECRET, "s-2"),
        (vocabulary.ENDPOINT_ID, "20001"),
        *[(vocabulary.ACTIVITY_PREFIX + name, str(value)) for name, value in ids.items()],
        (vocabulary.CONNECTOR_UI, "adapter.json"),
        (vocabulary.CLASS_PATH, " ".join(JARS)),
    ]
    cases["sample-99-activities"] = (m, (expected_main, {}))

    m = cm.apply_registration(
        Manifest.parse(SAMPLE),
        key="3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        secret="9a0c0305-e82c-3301-3f25-04e04f8911d3",
        endpoint_entity_id="20001",
        activity_ids={"fetch": 20002, "put": 20003, "process": 20004, "get": 20005},
    )
    cases["sample-registered"] = (m, (m.main.items(), {}))  # exact list checked in test_manifest_jitterbit

    sections = {
        "lib/a.jar": {"Implementation-Title": "a", "Sealed": "true"},
        "org/example/" + "deep/" * 16 + "Thing.class": {"SHA-256-Digest": "q" * 44},
        "empty/": {},
    }
    m = Manifest(
        Section(None, [("Created-By", "hatch-harmony")]),
        [Section(name, attrs) for name, attrs in sections.items()],
    )
    cases["sections"] = (m, (_main([("Created-By", "hatch-harmony")]), sections))

    edge = list(EDGE_VALUES.items())
    cases["edge-values"] = (Manifest(Section(None, edge)), (_main(edge), {}))
    cases["empty"] = (Manifest(), (_main([]), {}))
    return cases


def write_all(tmp_path: Path, manifests: dict[str, Manifest]) -> list[Path]:
    paths = []
    for name, m in manifests.items():
        path = tmp_path / f"{name}.MF"
        path.write_bytes(m.to_bytes())
        paths.append(path)
    return paths


def test_java_reads_the_corpus_exactly(java_manifest: JavaManifestReader, tmp_path: Path) -> None:
    cases = corpus()
    reads = java_manifest(write_all(tmp_path, {name: m for name, (m, _) in cases.items()}))
    for (name, (_, (main, sections))), read in zip(cases.items(), reads, strict=True):
        assert list(read["main"].items()) == main, name  # values, spelling and order
        assert read["sections"] == sections, name


def test_our_bytes_equal_javas_own_writer_for_ascii_manifests(
    java_manifest: JavaManifestReader, tmp_path: Path
) -> None:
    # Java's writer splits at 72 bytes like ours; only multibyte splits differ (ours never split a
    # character), and Java keeps sections in a HashMap, so compare where order is defined.
    chosen = {name: m for name, (m, _) in corpus().items() if m.to_bytes().isascii() and len(m.sections) <= 1}
    assert {"long-class-path", "name-70", "sample-99-activities", "sample-registered", "empty"} <= set(chosen)
    reads = java_manifest(write_all(tmp_path, chosen), rewrite=True)
    for (name, m), read in zip(chosen.items(), reads, strict=True):
        assert read["written"] == m.to_bytes(), name


def test_we_read_what_javas_writer_writes_even_split_inside_characters(
    java_manifest: JavaManifestReader, tmp_path: Path
) -> None:
    m, (main, sections) = corpus()["multibyte"]
    read = java_manifest(write_all(tmp_path, {"multibyte": m}), rewrite=True)[0]
    written: bytes = read["written"]
    assert any(_splits_a_character(line) for line in written.split(b"\r\n"))  # the JDK did split
    ours = Manifest.parse(written, source="JDK output")
    assert ours.main.items() == main
    assert {s.name: dict(s.items()) for s in ours.sections} == sections


def _splits_a_character(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


# --- the lenient reader agrees with Java wherever Java reads the input --------------------------

TEMPLATES = {
    "sample": SAMPLE,
    "lf": b"Manifest-Version: 1.0\nAuthor: Ann\n\nName: a/\nK: v\n",
    "cr": b"Manifest-Version: 1.0\rAuthor: Ann\r\rName: a/\rK: v\r",
    "crlf-continued": b"Class-Path: lib/a.jar\r\n   lib/b.jar\r\n  \r\n",
    "split-character": b"Author: Ren\xc3\n \xa9\n",
    "long-line-511": b"A: " + b"x" * 508 + b"\n",
    "blank-lines-between-sections": b"A: 1\n\nName: a\nX: 1\n\n\n\nName: b\nY: 2\n",
    "case-of-name": b"A: 1\n\nNAME: a\nX: 1\n",
}


def test_the_lenient_reader_agrees_with_java(java_manifest: JavaManifestReader, tmp_path: Path) -> None:
    paths = []
    for name, data in TEMPLATES.items():
        path = tmp_path / f"{name}.MF"
        path.write_bytes(data)
        paths.append(path)
    for (name, data), read in zip(TEMPLATES.items(), java_manifest(paths), strict=True):
        ours = Manifest.parse(data)
        assert list(read["main"].items()) == ours.main.items(), name
        assert read["sections"] == {s.name: dict(s.items()) for s in ours.sections}, name


def test_where_we_are_more_lenient_than_java_our_output_fixes_it(
    java_manifest: JavaManifestReader, tmp_path: Path
) -> None:
    inputs = {
        "no-final-line-break": b"Manifest-Version: 1.0\r\nA: 1\r\nLast: kept",  # Java drops "Last"
        "colon-without-space": b"Manifest-Version: 1.0\nEmpty:\nB: 2\n",  # Java refuses the file
        "no-manifest-version": b"Author: Ann\n",  # Java's writer would drop everything
        "continued-name": b"Jitterbit-Con\n nector: true\n",  # Java continues values only
    }
    originals, rewritten = [], []
    for name, data in inputs.items():
        original = tmp_path / f"{name}.in.MF"
        original.write_bytes(data)
        originals.append(original)
        ours = tmp_path / f"{name}.out.MF"
        ours.write_bytes(Manifest.parse(data).to_bytes())
        rewritten.append(ours)
    java_in = java_manifest(originals, allow_errors=True, rewrite=True)
    java_out = java_manifest(rewritten)
    assert "Last" not in java_in[0]["main"] and java_out[0]["main"]["Last"] == "kept"
    assert "invalid header field" in java_in[1]["error"] and java_out[1]["main"]["Empty"] == ""
    assert java_in[2]["written"] == b"\r\n"
    assert java_out[2]["main"] == {"Manifest-Version": "1.0", "Author": "Ann"}
    assert (
        "invalid header field" in java_in[3]["error"] and java_out[3]["main"][vocabulary.CONNECTOR] == "true"
    )


def test_java_and_we_draw_the_line_length_limit_at_the_same_byte(
    java_manifest: JavaManifestReader, tmp_path: Path
) -> None:
    ok, too_long = tmp_path / "511.MF", tmp_path / "512.MF"
    ok.write_bytes(b"Manifest-Version: 1.0\r\nA: " + b"x" * 508 + b"\r\n")
    too_long.write_bytes(b"Manifest-Version: 1.0\r\nA: " + b"x" * 509 + b"\r\n")
    java_ok, java_too_long = java_manifest([ok, too_long], allow_errors=True)
    assert java_ok["main"]["A"] == "x" * 508 and Manifest.parse(ok.read_bytes()).get("A") == "x" * 508
    assert "line too long" in java_too_long["error"]
    with pytest.raises(jm.ManifestError, match="line 2: the line is 512 bytes long"):
        Manifest.parse(too_long.read_bytes())


# --- random manifests, one JVM --------------------------------------------------------------------


def test_java_reads_random_manifests_exactly(java_manifest: JavaManifestReader, tmp_path: Path) -> None:
    drawn: list[Manifest] = []

    @SUITE
    @given(manifests())
    def collect(m: Manifest) -> None:
        drawn.append(m)

    collect()
    sample = drawn[:: max(1, len(drawn) // 60)]  # ~60 examples in one JVM; the benchmark runs thousands
    reads = java_manifest(write_all(tmp_path, {f"m{i}": m for i, m in enumerate(sample)}))
    for m, read in zip(sample, reads, strict=True):
        assert list(read["main"].items()) == m.main.items()
        assert read["sections"] == {s.name: dict(s.items()) for s in m.sections}


# --- the fixture's jar mode (later tests rely on it for the connector jar) -----------------------


def make_jar(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def test_jar_mode_reads_the_manifest_and_reports_the_entry_order(
    java_manifest: JavaManifestReader, tmp_path: Path
) -> None:
    m = cm.apply_registration(
        Manifest.parse(SAMPLE), key="k", secret="s", endpoint_entity_id="1", activity_ids={"fetch": 2}
    )
    data = m.to_bytes()
    with_dir = make_jar(
        tmp_path / "a.jar", [("META-INF/", b""), ("META-INF/MANIFEST.MF", data), ("org/X.class", b"\xca\xfe")]
    )
    without_dir = make_jar(tmp_path / "b.jar", [("META-INF/MANIFEST.MF", data), ("adapter.json", b"{}")])
    read_a, read_b = java_manifest([with_dir, without_dir])
    assert read_a["entries"] == ["META-INF/", "META-INF/MANIFEST.MF", "org/X.class"]
    assert read_b["entries"] == ["META-INF/MANIFEST.MF", "adapter.json"]
    assert read_a["manifestFirst"] is True and read_b["manifestFirst"] is True
    for read in (read_a, read_b):
        assert list(read["main"].items()) == m.main.items() and read["sections"] == {}
    assert java_manifest(with_dir)["main"] == read_a["main"]  # one path in, one dict out


@pytest.mark.parametrize(
    "entries",
    [
        [("adapter.json", b"{}"), ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n")],
        [("META-INF/", b""), ("lib/", b""), ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n")],
        [("adapter.json", b"{}")],
    ],
    ids=["manifest-second", "manifest-third", "no-manifest"],
)
def test_jar_mode_fails_loudly_when_jarinputstream_misses_the_manifest(
    java_manifest: JavaManifestReader, tmp_path: Path, entries: list[tuple[str, bytes]]
) -> None:
    jar = make_jar(tmp_path / "bad.jar", entries)
    with pytest.raises(JavaCheckerError, match=r"JarInputStream sees no META-INF/MANIFEST\.MF"):
        java_manifest(jar)
    assert "entries in order" in java_manifest(jar, allow_errors=True)["error"]


def test_an_unreadable_file_fails_the_test_unless_errors_are_allowed(
    java_manifest: JavaManifestReader, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.MF"
    bad.write_bytes(b"Manifest-Version: 1.0\nno colon\n")
    with pytest.raises(JavaCheckerError, match="cannot read"):
        java_manifest([bad])
    assert java_manifest([], allow_errors=True) == []
