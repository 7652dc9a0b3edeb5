"""MANIFEST.MF per the JAR File Specification: a lenient reader, an editor, a canonical writer.

The manifest is the product's output, and Java is unforgiving and silent about it: a last
line without a line break is dropped, a bad header name or a line Java's buffer cannot hold
breaks loading (the specification allows 72 bytes), and a CR/LF inside a value returned by
a server would inject a header. So this
module writes only what the specification allows (checked against JDK 17's
`java.util.jar` by the project's own Java checker, `tests/java/ManifestDump.java`), while it
reads the hand-written templates connector developers actually have (LF or CR line
breaks, no `Manifest-Version`, a `Class-Path` continued over many lines, placeholders).

Pure: bytes in, bytes out. Secrets: the values of `Jitterbit-Connector-Key`/`-Secret` (and
any attribute whose name says key, secret, password, token or credential) never appear in a
`repr`, and no error message quotes a value, except entity ids, which are not secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from .errors import ConfigError
from .vocabulary import (  # the words; this module owns the JAR format and the Jitterbit rules
    ACTIVITY_PREFIX,
    CLASS_PATH,
    CONNECTOR,
    CONNECTOR_UI,
    ENDPOINT_ID,
    KEY,
    MANIFEST_VERSION,
    RESERVED,
    SECRET,
    STALE_ACTIVITY_PREFIX,
    STALE_ENDPOINT_ID,
    is_placeholder,
)

# --- the JAR specification's limits -----------------------------------------------------------------

MAX_NAME_BYTES = 70
MAX_LINE_BYTES = 72
#: java.util.jar reads lines into a 512-byte buffer (line break included): longer lines fail
#: with "line too long". Lines between 73 and 511 bytes break the spec but Java reads them,
#: so the lenient reader accepts them (the writer re-wraps everything at 72 bytes).
JAVA_MAX_LINE_BYTES = 511
DEFAULT_VERSION = "1.0"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_NAME_TAIL = re.compile(r"[A-Za-z0-9_-]+")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"
_SECTION_NAME = "name"
_SENSITIVE_WORDS = ("key", "secret", "password", "token", "credential")


class ManifestError(ConfigError):
    """A manifest (template, previous output or one being built) that cannot be read or written.

    `source` names the file (or what the manifest is, e.g. "generated manifest"), `line`
    the 1-based physical line where a problem was read, `attribute` the attribute at fault.
    """

    def __init__(
        self, problem: str, *, source: str, line: int | None = None, attribute: str | None = None
    ) -> None:
        where = source if line is None else f"{source}, line {line}"
        super().__init__(f"{where}: {problem}")
        self.source = source
        self.line = line
        self.attribute = attribute


# --- validation, shared with config checks of user-supplied attributes ---------------------------


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a manifest attribute name, or None when it can."""
    if not _NAME.fullmatch(name):
        return (
            f"{_shown_name(name)} is not a valid attribute name: it must start with a letter or digit "
            "and contain only letters, digits, '-' and '_'"
        )
    if len(name) > MAX_NAME_BYTES:  # ASCII by the pattern, so characters are bytes
        shown = _shown_name(name)
        return f"{shown} is {len(name)} bytes long; attribute names may have at most {MAX_NAME_BYTES}"
    return None


def value_problem(value: str) -> str | None:
    """Why `value` cannot be a manifest value, or None. Never quotes the value (it may be a secret)."""
    for char, label in (("\0", "a NUL character"), ("\r", "a carriage return"), ("\n", "a line feed")):
        if char in value:
            return f"the value contains {label}, which would break the line (or inject an attribute)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "the value contains a lone surrogate, which is not valid UTF-8 text"
    return None


def _shown_name(name: str) -> str:
    return repr(name if len(name) <= 80 else name[:77] + "...")


def _is_sensitive(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SENSITIVE_WORDS)  # covers KEY and SECRET


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
                    f"a section's Name is not usable: {problem}", source=source, attribute="Name"
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

    def _check(self, name: str, value: str) -> None:
        problem = name_problem(name)
        if problem is None and name.lower() == _SECTION_NAME:
            problem = "'Name' is not an attribute: it starts a per-entry section"
        if problem is None and not isinstance(value, str):
            problem = f"the value of {name} is a {type(value).__name__}, not text"
        if problem is None and (bad := value_problem(value)):
            problem = f"{name}: {bad}"
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
        shown = [(attr, "***" if _is_sensitive(attr) else value) for attr, value in self._attrs]
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
        return _Parser(data, source).parse()

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
            out += _fold("Name", section.name or "")
            for attr, value in section.items():
                out += _fold(attr, value)
            out.append(b"")
        return b"\r\n".join(out) + b"\r\n"

    def _check_structure(self) -> None:
        if self.main.name is not None:
            raise ManifestError("the main section cannot have a Name", source=self.source, attribute="Name")
        seen: set[str] = set()
        for section in self.sections:
            if section.name is None:
                raise ManifestError("an entry section has no Name", source=self.source, attribute="Name")
            if section.name in seen:
                raise ManifestError(
                    f"two sections are named {section.name!r}; merge them",
                    source=self.source,
                    attribute="Name",
                )
            seen.add(section.name)

    # main-section shortcuts: almost every attribute a connector has lives there
    def get(self, name: str) -> str | None:
        return self.main.get(name)

    def set(self, name: str, value: str) -> None:
        self.main.set(name, value)

    def remove(self, name: str) -> bool:
        return self.main.remove(name)

    def __contains__(self, name: object) -> bool:
        return name in self.main

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


class _Parser:
    """Physical lines -> logical lines (continuations joined as bytes) -> sections."""

    def __init__(self, data: bytes, source: str) -> None:
        self.data = data
        self.source = source

    def error(self, problem: str, line: int, attribute: str | None = None) -> ManifestError:
        return ManifestError(problem, source=self.source, line=line, attribute=attribute)

    def parse(self) -> Manifest:
        blocks = self._blocks()
        main = Section(source=self.source)
        sections: list[Section] = []
        first_lines: dict[str, int] = {}
        for index, (leading_blank, block) in enumerate(blocks):
            pairs = [self._attribute(number, raw) for number, raw in block]
            starts_section = pairs[0][1].lower() == _SECTION_NAME
            if index == 0 and not (leading_blank and starts_section):
                self._fill(main, pairs)
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
            section = Section(value, source=self.source)
            self._fill(section, pairs[1:])
            sections.append(section)
        return Manifest(main, sections, self.source)

    def _fill(self, section: Section, pairs: list[tuple[int, str, str]]) -> None:
        lines: dict[str, int] = {}
        for number, attr, value in pairs:
            lowered = attr.lower()
            if lowered == _SECTION_NAME:
                hint = (
                    "put a blank line before it to start a section"
                    if section.name is None
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
            section._attrs.append((attr, value))  # already validated by _attribute

    def _blocks(self) -> list[tuple[bool, list[tuple[int, bytes]]]]:
        """Logical lines grouped by blank lines; each block says whether blank lines came before it."""
        data = self.data[len(_BOM) :] if self.data.startswith(_BOM) else self.data
        physical = _LINE_BREAK.split(data)
        if physical[-1] == b"":
            physical.pop()  # the final line break; a missing one is tolerated
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


# --- the Jitterbit registration ---------------------------------------------------------------------


def activity_attribute(activity: str) -> str:
    """The manifest attribute carrying `activity`'s entity type id.

    The activity key is the suffix as-is (FACTS.md); ConfigError when the result is not a
    valid attribute name, since Java would refuse the whole manifest.
    """
    name = ACTIVITY_PREFIX + activity
    if not _NAME_TAIL.fullmatch(activity):
        raise ConfigError(
            f"activity {activity!r}: its key becomes the MANIFEST.MF attribute name {ACTIVITY_PREFIX}<key>, "
            "so it may contain only letters, digits, '-' and '_'; rename the activity in adapter.json "
            "(and in the Java code that registers it)"
        )
    if len(name) > MAX_NAME_BYTES:
        raise ConfigError(
            f"activity {activity!r}: {ACTIVITY_PREFIX}<key> must fit the {MAX_NAME_BYTES}-byte limit of "
            f"MANIFEST.MF attribute names, so a key may have at most {MAX_NAME_BYTES - len(ACTIVITY_PREFIX)} "
            f"characters (this one has {len(activity)}); rename the activity in adapter.json"
        )
    return name


def is_activity_attribute(name: str) -> bool:
    return name.lower().startswith(ACTIVITY_PREFIX.lower()) and len(name) > len(ACTIVITY_PREFIX)


def activity_values(manifest: Manifest) -> dict[str, str]:
    """Activity key -> id as written in the manifest (keys in the manifest's spelling)."""
    return {
        attr[len(ACTIVITY_PREFIX) :]: value
        for attr, value in manifest.main.items()
        if is_activity_attribute(attr)
    }


def registration_values(manifest: Manifest) -> tuple[str | None, str | None]:
    """(key, secret) of a previously generated manifest; None for each one absent or a placeholder."""
    key, secret = manifest.get(KEY), manifest.get(SECRET)
    return (
        None if key is None or is_placeholder(key) else key,
        None if secret is None or is_placeholder(secret) else secret,
    )


def check_shippable(manifest: Manifest) -> None:
    """Refuse a manifest that would ship registration data Harmony cannot accept.

    Checked where present in the main section: key and secret are no placeholder, the
    endpoint and activity ids are decimal numbers (ids are numeric strings in every
    register reply). Absence is not checked here: a plain, non-connector manifest is fine.
    """
    for attr, value in manifest.main.items():
        lowered = attr.lower()
        if lowered in (KEY.lower(), SECRET.lower()):
            if is_placeholder(value):
                what = "empty" if not value.strip() else "a placeholder"
                raise ManifestError(
                    f"{attr} is {what}; refusing to write a connector manifest Harmony would reject. "
                    "Let hatch-harmony fill in the registered value (run a build or "
                    "`hatch-harmony manifest`), or set HARMONY_CONNECTOR_KEY and HARMONY_CONNECTOR_SECRET",
                    source=manifest.source,
                    attribute=attr,
                )
        elif (lowered == ENDPOINT_ID.lower() or is_activity_attribute(attr)) and not (
            value.isascii() and value.isdigit()
        ):
            shown = "empty" if not value.strip() else f"{value!r}, not a numeric id"
            raise ManifestError(
                f"{attr} is {shown}; refusing to write a connector manifest Harmony would reject. "
                "Let hatch-harmony fill in the registered ids (run a build or `hatch-harmony manifest`)",
                source=manifest.source,
                attribute=attr,
            )


def set_class_path(manifest: Manifest, jars: Sequence[str]) -> None:
    """Replace `Class-Path` with `jars` (jar-relative paths), space-separated; no jars removes it.

    Class-Path entries are relative URLs separated by spaces, so a space or other unsafe
    character inside a path is percent-encoded (Java decodes it); backslashes become `/`.
    The writer wraps the long value at 72 bytes.
    """
    entries: list[str] = []
    for jar in jars:
        path = jar.replace("\\", "/")
        if not path.strip() or value_problem(path):
            raise ConfigError(f"Class-Path: {jar!r} is not a usable jar path")
        entries.append(quote(path, safe="/:@!$&'()*+,;=-._~"))
    if entries:
        manifest.main.set(CLASS_PATH, " ".join(entries))
    else:
        manifest.main.remove(CLASS_PATH)


def apply_registration(
    template: Manifest,
    *,
    key: str,
    secret: str,
    endpoint_entity_id: str,
    activity_ids: Mapping[str, int | str],
    ui_file: str = "adapter.json",
    extra: Mapping[str, str] | None = None,
) -> Manifest:
    """A new manifest: `template` with the registration written in.

    - `Manifest-Version` first (the template's value kept, 1.0 when missing);
    - `Jitterbit-Connector: true`, `Jitterbit-Connector-UI: <ui_file>`, key, secret, endpoint
      id and one `Jitterbit-Activity-EntityTypeId-<activity>` per activity: an attribute the
      template has is replaced in place; a missing one goes right after the one before it in
      that order (so new activities land next to the existing ones), and
      `Jitterbit-Connector` itself before the first `Jitterbit-*` attribute (else at the end);
    - the stale `-Id` spellings are renamed in place to the EntityTypeId forms;
    - activity attributes for activities not in `activity_ids` are removed;
    - everything else is kept as-is (Author, Version, Jitterbit-Connector-Factory-Class,
      unknown attributes, entry sections), except that a `Class-Path` continued over many
      lines has its runs of spaces collapsed to one (the same list for Java, readable output);
    - `extra` attributes are set last (they may not override the attributes above).

    Raises ConfigError for unusable activity keys or extra attributes and ManifestError when
    the result is not shippable (placeholder key, non-numeric id).
    """
    result = template.copy()
    main = result.main
    wanted = _registration_attributes(key, secret, endpoint_entity_id, activity_ids, ui_file)
    extras = _checked_extras(extra or {})

    version = main.get(MANIFEST_VERSION)
    main.remove(MANIFEST_VERSION)
    first = main.names()[0] if len(main) else None
    main.set(MANIFEST_VERSION, version if version and version.strip() else DEFAULT_VERSION, before=first)

    _rename_stale(main)
    wanted_names = {attr.lower() for attr, _ in wanted}
    for attr in main.names():
        if is_activity_attribute(attr) and attr.lower() not in wanted_names:
            main.remove(attr)

    previous: str | None = None
    for attr, value in wanted:
        if previous is None:
            first_jitterbit = next((n for n in main.names() if n.lower().startswith("jitterbit-")), None)
            main.set(attr, value, before=first_jitterbit)
        else:
            main.set(attr, value, after=previous)
        previous = attr

    class_path = main.get(CLASS_PATH)
    if class_path is not None:
        main.set(CLASS_PATH, re.sub(" +", " ", class_path).strip(" "))
    for attr, value in extras:
        main.set(attr, value)
    check_shippable(result)
    return result


def _registration_attributes(
    key: str, secret: str, endpoint_entity_id: str, activity_ids: Mapping[str, int | str], ui_file: str
) -> list[tuple[str, str]]:
    if not ui_file.strip() or value_problem(ui_file):
        raise ConfigError(
            f"{CONNECTOR_UI}: the UI file name {ui_file!r} is not usable; use e.g. adapter.json"
        )
    wanted = [(CONNECTOR, "true"), (CONNECTOR_UI, ui_file), (KEY, key), (SECRET, secret)]
    wanted.append((ENDPOINT_ID, str(endpoint_entity_id)))
    spelled: dict[str, str] = {}
    for activity, ident in activity_ids.items():
        attr = activity_attribute(activity)
        if (clash := spelled.get(attr.lower())) is not None:
            raise ConfigError(
                f"activities {clash!r} and {activity!r} differ only in case, but MANIFEST.MF attribute names "
                "are case-insensitive, so both would get the same attribute; rename one in adapter.json"
            )
        spelled[attr.lower()] = activity
        wanted.append((attr, str(ident)))
    return wanted


def _checked_extras(extra: Mapping[str, str]) -> list[tuple[str, str]]:
    checked: list[tuple[str, str]] = []
    for attr, value in extra.items():
        lowered = attr.lower()
        if lowered in RESERVED or lowered.startswith(
            (ACTIVITY_PREFIX.lower(), STALE_ACTIVITY_PREFIX.lower())
        ):
            raise ConfigError(
                f"manifest attribute {attr!r} is written by hatch-harmony from the registration and "
                "adapter.json; remove it from `attributes`"
            )
        problem = name_problem(attr) or (None if isinstance(value, str) else "the value is not text")
        problem = problem or value_problem(value)
        if problem is None and lowered == _SECTION_NAME:
            problem = "'Name' starts a section, it is not an attribute"
        if problem:
            raise ConfigError(f"manifest attribute {attr!r}: {problem}")
        checked.append((attr, value))
    return checked


def _rename_stale(main: Section) -> None:
    renames = [(STALE_ENDPOINT_ID, ENDPOINT_ID)]
    renames += [
        (attr, ACTIVITY_PREFIX + attr[len(STALE_ACTIVITY_PREFIX) :])
        for attr in main.names()
        if attr.lower().startswith(STALE_ACTIVITY_PREFIX.lower()) and len(attr) > len(STALE_ACTIVITY_PREFIX)
    ]
    for old, new in renames:
        if old not in main:
            continue
        if new in main or name_problem(new):
            main.remove(old)  # the current spelling is there already (or the rename would not fit)
        else:
            main.rename(old, new)
