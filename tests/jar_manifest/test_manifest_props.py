"""Property tests of the manifest reader and writer (hypothesis).

In-suite runs are derandomized and modest; `benchmarks/manifest_java_fuzz.py` runs the same
strategies at scale, randomized, against Java. The strategies live here so both share them.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hatch_harmony import jar_manifest as jm
from hatch_harmony import vocabulary
from hatch_harmony.project import connector_manifest as cm

SUITE = settings(
    max_examples=100,
    derandomize=True,  # deterministic in CI; the benchmark explores randomly
    database=None,
    deadline=None,  # no timed assertions
    suppress_health_check=[HealthCheck.too_slow],
)

_OFF_LIMITS = {
    n.lower()
    for n in (
        "Name",
        vocabulary.MANIFEST_VERSION,
        vocabulary.KEY,
        vocabulary.SECRET,
        vocabulary.ENDPOINT_ID,
        vocabulary.STALE_ENDPOINT_ID,
    )
}

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
names = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from(_ALNUM),
    st.one_of(st.text(_ALNUM + "-_", max_size=12), st.text(_ALNUM + "-_", min_size=60, max_size=69)),
).filter(lambda n: n.lower() not in _OFF_LIMITS and not cm.is_activity_attribute(n))

_any_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\r\n")
#: Wide characters make the 72-byte boundary fall inside 2-, 3- and 4-byte UTF-8 sequences.
_wide_char = st.sampled_from(["é", "ß", "€", "中", "\u2028", "\u0085", "😀", "𝄞", " ", "a", ":", "\t"])
values = st.one_of(
    st.text(_any_char, max_size=120),
    st.text(_wide_char, max_size=160),
    st.text(st.sampled_from("ab "), max_size=300),
)
section_names = st.one_of(
    st.text(_any_char, min_size=1, max_size=100), st.text(_wide_char, min_size=1, max_size=90)
)


@st.composite
def sections(draw: st.DrawFn, name: str | None) -> jm.Section:
    attrs = draw(st.lists(st.tuples(names, values), max_size=8, unique_by=lambda kv: kv[0].lower()))
    if name is None:
        attrs = [(vocabulary.MANIFEST_VERSION, draw(st.sampled_from(["1.0", "2.0", "1.0 ü"]))), *attrs]
    return jm.Section(name, attrs)


@st.composite
def manifests(draw: st.DrawFn) -> jm.Manifest:
    """Valid, canonical manifests: Manifest-Version first, unique names, no registration attributes."""
    main = draw(sections(None))
    entry_names = draw(st.lists(section_names, max_size=3, unique=True))
    return jm.Manifest(main, [draw(sections(name)) for name in entry_names])


@st.composite
def refolded(draw: st.DrawFn, m: jm.Manifest) -> bytes:
    """`m` as a hand-made template could spell it: any line break, continuations cut at random
    bytes (inside UTF-8 characters too), several blank lines between sections. Every line is
    one Java reads too (name and ': ' on the first line, at most 511 bytes, final line break).
    """
    brk = draw(st.sampled_from([b"\r\n", b"\n", b"\r"]))
    lines: list[bytes] = []

    def emit(name: str, value: str) -> None:
        line = f"{name}: {value}".encode()
        head = len(name) + 2
        cuts = draw(st.sets(st.integers(head, len(line) - 1), max_size=6)) if len(line) > head else set()
        cuts |= set(range(head + 400, len(line), 400))  # keep physical lines within Java's 511 bytes
        edges = [0, *sorted(cuts), len(line)]
        pieces = [line[a:b] for a, b in itertools.pairwise(edges)]
        lines.extend([pieces[0], *(b" " + piece for piece in pieces[1:])])

    for name, value in m.main.items():
        emit(name, value)
    for section in m.sections:
        lines.extend([b""] * draw(st.integers(1, 3)))
        emit("Name", section.name or "")
        for name, value in section.items():
            emit(name, value)
    return b"".join(line + brk for line in lines)


def template_variants() -> st.SearchStrategy[tuple[jm.Manifest, bytes]]:
    return manifests().flatmap(lambda m: st.tuples(st.just(m), refolded(m)))


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


@SUITE
@given(manifests())
def test_parse_of_written_is_the_same_manifest(m: jm.Manifest) -> None:
    assert jm.Manifest.parse(m.to_bytes()) == m


@SUITE
@given(manifests())
def test_written_lines_are_at_most_72_bytes_crlf_and_whole_characters(m: jm.Manifest) -> None:
    data = m.to_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    lines = physical_lines(data)
    assert lines[0].startswith(b"Manifest-Version: ")
    for line in lines:
        assert len(line) <= jm.MAX_LINE_BYTES
        line.decode("utf-8")  # never a character split across lines
        assert line == b"" or line.startswith(b" ") or b": " in line  # blank, continuation or header
    assert data.endswith(b"\r\n\r\n")  # the last section ends with a blank line


@SUITE
@given(manifests())
def test_writing_is_deterministic_and_a_fixed_point(m: jm.Manifest) -> None:
    data = m.to_bytes()
    assert m.copy().to_bytes() == data
    assert jm.Manifest.parse(data).to_bytes() == data


@SUITE
@given(template_variants())
def test_any_folding_and_line_break_style_reads_the_same_manifest(case: tuple[jm.Manifest, bytes]) -> None:
    m, data = case
    assert jm.Manifest.parse(data) == m


@settings(SUITE, max_examples=400)
@given(st.binary(max_size=400))
def test_parse_of_arbitrary_bytes_raises_only_manifest_error(data: bytes) -> None:
    _parse_or_manifest_error(data)


_line_bytes = st.lists(
    st.sampled_from(
        [b"A", b"b-", b"Name", b":", b": ", b" ", b"\xc3", b"\xa9", b"\xf0\x9f\x98\x80", b"\0", b"x" * 80]
    ),
    max_size=12,
).map(b"".join)
#: Bytes shaped like a manifest (names, colons, spaces, broken UTF-8, all three line breaks).
manifest_like_bytes = st.lists(
    st.tuples(_line_bytes, st.sampled_from([b"\r\n", b"\n", b"\r"])), max_size=12
).map(lambda lines: b"".join(line + brk for line, brk in lines))


@SUITE
@given(manifest_like_bytes)
def test_parse_of_manifest_like_bytes_raises_only_manifest_error(data: bytes) -> None:
    _parse_or_manifest_error(data)


def _parse_or_manifest_error(data: bytes) -> None:
    """Whatever parses must write, and the written form must be a fixed point."""
    try:
        parsed = jm.Manifest.parse(data)
    except jm.ManifestError as exc:
        assert exc.line is None or exc.line >= 1
        return
    written = parsed.to_bytes()
    assert jm.Manifest.parse(written).to_bytes() == written
