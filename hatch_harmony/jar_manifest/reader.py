"""The lenient reader: MANIFEST.MF bytes -> the main section's and each entry section's attributes.

Lenient because connector developers' templates are hand-written (LF or CR line breaks,
no `Manifest-Version`, a `Class-Path` continued over many lines); what it accepts beyond
the specification and what it refuses, with the line number, is listed at
`Manifest.parse`. Everything it returns is checked, so the model takes it as it is.
"""

from __future__ import annotations

import re

from hatch_harmony.jar_manifest.spec import (
    JAVA_MAX_LINE_BYTES,
    MAX_LINE_BYTES,
    SECTION_NAME,
    ManifestError,
    name_problem,
)

#: A section's attributes as (name, value), in order.
Pairs = list[tuple[str, str]]

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


def read_sections(data: bytes, source: str) -> tuple[Pairs, list[tuple[str, Pairs]]]:
    """The main section's attributes and each entry section's (Name, attributes), in file order."""
    return _Reader(data, source).read()


class _Reader:
    """Physical lines -> logical lines (continuations joined as bytes) -> sections."""

    def __init__(self, data: bytes, source: str) -> None:
        self.data = data
        self.source = source

    def error(self, problem: str, line: int, attribute: str | None = None) -> ManifestError:
        return ManifestError(problem, source=self.source, line=line, attribute=attribute)

    def read(self) -> tuple[Pairs, list[tuple[str, Pairs]]]:
        main: Pairs = []
        sections: list[tuple[str, Pairs]] = []
        first_lines: dict[str, int] = {}
        for index, (leading_blank, block) in enumerate(self._blocks()):
            pairs = [self._attribute(number, raw) for number, raw in block]
            starts_section = pairs[0][1].lower() == SECTION_NAME.lower()
            if index == 0 and not (leading_blank and starts_section):
                main = self._attributes(pairs, in_main=True)
                continue
            number, attr, value = pairs[0]
            if not starts_section:
                raise self.error(
                    "a section after a blank line must start with 'Name: <entry>'; remove the blank "
                    "line if this line belongs to the section above",
                    number,
                    attr,
                )
            if not value:
                raise self.error("the section's Name is empty; name the jar entry it describes", number, attr)
            if value in first_lines:
                raise self.error(
                    f"a second section named {value!r} (the first is at line {first_lines[value]}); "
                    "merge them",
                    number,
                    attr,
                )
            first_lines[value] = number
            sections.append((value, self._attributes(pairs[1:], in_main=False)))
        return main, sections

    def _attributes(self, pairs: list[tuple[int, str, str]], *, in_main: bool) -> Pairs:
        """The section's attributes, with `Name` and duplicates refused at their line."""
        lines: dict[str, int] = {}
        for number, attr, _ in pairs:
            lowered = attr.lower()
            if lowered == SECTION_NAME.lower():
                hint = (
                    "put a blank line before it to start a section"
                    if in_main
                    else "a section has one Name, on its first line"
                )
                raise self.error(f"'Name' is not allowed here: {hint}", number, attr)
            if lowered in lines:
                raise self.error(
                    f"duplicate attribute {attr!r} (first at line {lines[lowered]}; names are "
                    "case-insensitive); keep one",
                    number,
                    attr,
                )
            lines[lowered] = number
        return [(attr, value) for _, attr, value in pairs]  # validated by _attribute

    def _blocks(self) -> list[tuple[bool, list[tuple[int, bytes]]]]:
        """Logical lines grouped by blank lines; each block says whether blank lines came before it."""
        data = self.data[len(_BOM) :] if self.data.startswith(_BOM) else self.data
        # After a final line break (a missing one is tolerated) the split leaves an empty last
        # line: a blank line at the end, which only closes the last block, as the end does.
        physical = _LINE_BREAK.split(data)
        blocks: list[tuple[bool, list[tuple[int, bytes]]]] = []
        current: list[tuple[int, bytes]] | None = None
        seen_blank = False
        for number, raw in enumerate(physical, 1):
            if len(raw) > JAVA_MAX_LINE_BYTES:
                raise self.error(
                    f"the line is {len(raw)} bytes long; Java cannot read lines over {JAVA_MAX_LINE_BYTES} "
                    f"bytes (the specification allows {MAX_LINE_BYTES}): continue the value on following "
                    "lines that each start with one space",
                    number,
                )
            if b"\0" in raw:
                raise self.error("the line contains a NUL byte; manifests are text", number)
            if raw.startswith(b" "):
                if current is None:
                    raise self.error(
                        "a continuation line (starting with a space) with nothing to continue; remove the "
                        "space if it is an attribute, or the blank line above it if it continues a value",
                        number,
                    )
                line_no, joined = current[-1]
                current[-1] = (line_no, joined + raw[1:])
            elif raw == b"":
                if current is not None:
                    blocks.append((seen_blank, current))
                    current = None
                seen_blank = True
            else:
                if current is None:
                    current = []
                current.append((number, raw))
        if current is not None:
            blocks.append((seen_blank, current))
        return blocks

    def _attribute(self, number: int, raw: bytes) -> tuple[int, str, str]:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.error(
                f"not valid UTF-8 text (byte {exc.start + 1} of the logical line); save the file as UTF-8",
                number,
            ) from None
        colon = text.find(":")
        if colon < 0:
            raise self.error(
                "not an attribute: expected 'Name: value'; if it continues the previous value, start it "
                "with one space",
                number,
            )
        attr, rest = text[:colon], text[colon + 1 :]
        problem = name_problem(attr)
        if problem:
            raise self.error(problem, number, attr)
        if rest and not rest.startswith(" "):
            raise self.error(f"{attr!r}: put one space after the colon ('{attr}: value')", number, attr)
        # NUL was refused per physical line, CR/LF split lines and strict decoding leaves no
        # lone surrogate: the value needs no further check.
        return number, attr, rest[1:]
