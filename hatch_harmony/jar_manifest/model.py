"""The manifest in memory: sections of ordered attributes, their edits, and the canonical writer.

Why the writer is strict while the reader (reader.py) is lenient: Java drops or refuses
what the specification does not allow, silently, so only the specification's form is
ever written; see `Manifest.to_bytes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hatch_harmony.jar_manifest.reader import Pairs, read_sections
from hatch_harmony.jar_manifest.spec import (
    DEFAULT_VERSION,
    MAX_LINE_BYTES,
    SECTION_NAME,
    ManifestError,
    attribute_problem,
    is_sensitive,
    value_problem,
)
from hatch_harmony.vocabulary import MANIFEST_VERSION

# --- sections -----------------------------------------------------------------------------------------


class Section:
    """One manifest section: ordered attributes whose names compare case-insensitively.

    The main section has `name` None; an entry section has the value of its `Name:` line,
    which is not one of its attributes. Names keep the spelling they were read or set with;
    equality compares names, spellings, values and order exactly (what the writer writes).
    """

    __slots__ = ("_attrs", "name", "source")

    def __init__(
        self,
        name: str | None = None,
        attributes: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        *,
        source: str = "MANIFEST.MF",
    ) -> None:
        self.source = source
        if name is not None:
            problem = value_problem(name) or ("it is empty" if not name else None)
            if problem:
                raise ManifestError(
                    f"a section's Name is not usable: {problem}", source=source, attribute=SECTION_NAME
                )
        self.name = name
        self._attrs: list[tuple[str, str]] = []
        pairs = attributes.items() if isinstance(attributes, Mapping) else attributes
        for attr, value in pairs:
            if attr in self:
                raise ManifestError(
                    f"{attr!r} is given twice (names are case-insensitive); keep one",
                    source=source,
                    attribute=attr,
                )
            self.set(attr, value)

    def _index(self, name: str) -> int | None:
        lowered = name.lower()
        for i, (attr, _) in enumerate(self._attrs):
            if attr.lower() == lowered:
                return i
        return None

    def get(self, name: str) -> str | None:
        i = self._index(name)
        return None if i is None else self._attrs[i][1]

    def set(self, name: str, value: str, *, after: str | None = None, before: str | None = None) -> None:
        """Replace the value in place (taking the spelling of `name`), or add the attribute.

        A new attribute goes right after `after` or right before `before` when that one is
        present, else at the end. Raises ManifestError for an invalid name or value.
        """
        self._check(name, value)
        i = self._index(name)
        if i is not None:
            self._attrs[i] = (name, value)
            return
        at = len(self._attrs)
        if after is not None and (anchor := self._index(after)) is not None:
            at = anchor + 1
        elif before is not None and (anchor := self._index(before)) is not None:
            at = anchor
        self._attrs.insert(at, (name, value))

    def rename(self, old: str, new: str) -> bool:
        """Give attribute `old` the name `new`, keeping its value and position; False if absent."""
        i = self._index(old)
        if i is None:
            return False
        j = self._index(new)
        if j is not None and j != i:
            raise ManifestError(
                f"cannot rename {old!r}: {new!r} exists already", source=self.source, attribute=new
            )
        value = self._attrs[i][1]
        self._check(new, value)
        self._attrs[i] = (new, value)
        return True

    def remove(self, name: str) -> bool:
        i = self._index(name)
        if i is None:
            return False
        del self._attrs[i]
        return True

    def items(self) -> list[tuple[str, str]]:
        return list(self._attrs)

    def names(self) -> list[str]:
        return [attr for attr, _ in self._attrs]

    def copy(self) -> Section:
        twin = Section(self.name, source=self.source)
        twin._attrs = list(self._attrs)
        return twin

    @classmethod
    def _read(cls, name: str | None, pairs: Pairs, source: str) -> Section:
        """A section of attributes the reader has checked already (names, values, duplicates)."""
        section = cls(name, source=source)
        section._attrs = list(pairs)
        return section

    def _check(self, name: str, value: str) -> None:
        problem = attribute_problem(name, value)
        if problem:
            raise ManifestError(problem, source=self.source, attribute=name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._index(name) is not None

    def __len__(self) -> int:
        return len(self._attrs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Section):
            return NotImplemented
        return self.name == other.name and self._attrs == other._attrs

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        shown = [(attr, "***" if is_sensitive(attr) else value) for attr, value in self._attrs]
        return f"Section(name={self.name!r}, attributes={shown!r})"


# --- the manifest -------------------------------------------------------------------------------------


@dataclass
class Manifest:
    """A parsed or built manifest: the main section and the entry sections, in order."""

    main: Section = field(default_factory=Section)
    sections: list[Section] = field(default_factory=list)
    source: str = field(default="MANIFEST.MF", compare=False)

    @classmethod
    def parse(cls, data: bytes, *, source: str = "MANIFEST.MF") -> Manifest:
        """Read leniently, the way a connector developer's template deserves.

        Accepted beyond the specification (decided; the writer emits the strict form):
        CRLF, LF or CR line breaks; a missing line break at the end (Java would silently
        drop that line: we keep it); a UTF-8 byte-order mark; leading blank lines; several
        blank lines between sections; lines of 73..511 bytes; `Name:` with nothing after the
        colon (an editor stripped the trailing space of an empty value) as an empty value; an
        attribute name continued on the next line.
        Refused, with the line number: lines Java cannot read (over 511 bytes), a
        continuation line with nothing to continue, a line without `: `, invalid names,
        duplicates, NUL bytes, invalid UTF-8, a section not starting with `Name:`.
        Continuation lines are joined as bytes before decoding, as Java does, so manifests
        written by the JDK (which splits inside multibyte characters) read correctly.
        """
        main, entries = read_sections(data, source)
        return cls(
            Section._read(None, main, source),
            [Section._read(name, pairs, source) for name, pairs in entries],
            source,
        )

    def to_bytes(self) -> bytes:
        """The canonical bytes: deterministic, so an unchanged manifest is never rewritten.

        `Manifest-Version` first (added as 1.0 when missing or blank, since Java's own
        writer drops every main attribute without it), CRLF, lines of at most 72 bytes
        continued with one space and never split inside a UTF-8 character, each section
        ended by a blank line (as the JDK writes; the file ends with a line break). The JAR
        format only: whether the Jitterbit attributes are shippable is `check_shippable`'s
        question, asked where a manifest is generated (`apply_registration`), so a masked
        copy for display is written like any other.
        """
        self._check_structure()
        out: list[bytes] = []
        version_name = next((n for n in self.main.names() if n.lower() == MANIFEST_VERSION.lower()), None)
        version = self.main.get(MANIFEST_VERSION) or ""
        out += _fold(version_name or MANIFEST_VERSION, version if version.strip() else DEFAULT_VERSION)
        for attr, value in self.main.items():
            if attr.lower() != MANIFEST_VERSION.lower():
                out += _fold(attr, value)
        out.append(b"")
        for section in self.sections:
            out += _fold(SECTION_NAME, section.name or "")
            for attr, value in section.items():
                out += _fold(attr, value)
            out.append(b"")
        return b"\r\n".join(out) + b"\r\n"

    def _check_structure(self) -> None:
        if self.main.name is not None:
            raise ManifestError(
                "the main section cannot have a Name", source=self.source, attribute=SECTION_NAME
            )
        seen: set[str] = set()
        for section in self.sections:
            if section.name is None:
                raise ManifestError(
                    "an entry section has no Name", source=self.source, attribute=SECTION_NAME
                )
            if section.name in seen:
                raise ManifestError(
                    f"two sections are named {section.name!r}; merge them",
                    source=self.source,
                    attribute=SECTION_NAME,
                )
            seen.add(section.name)

    # main-section shortcuts: almost every attribute a connector has lives there
    def get(self, name: str) -> str | None:
        return self.main.get(name)

    def copy(self) -> Manifest:
        return Manifest(self.main.copy(), [s.copy() for s in self.sections], self.source)


def _fold(name: str, value: str) -> list[bytes]:
    """One attribute as physical lines of at most 72 bytes, cut only between characters."""
    line = f"{name}: {value}".encode()
    lines: list[bytes] = []
    start, room = 0, MAX_LINE_BYTES
    while len(line) - start > room:
        cut = start + room
        while line[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back off to the character start
            cut -= 1
        lines.append(line[start:cut])
        start, room = cut, MAX_LINE_BYTES - 1
    lines.append(line[start:])
    return [lines[0], *(b" " + chunk for chunk in lines[1:])]
