"""What the JAR File Specification allows in a manifest: limits, names, values, and the error to raise.

The rules every other part of the format asks (the reader, the editor, the writer) and
that callers taking attributes from users ask too, so they refuse exactly what the writer
would. No Jitterbit rule here: those are `connector_manifest.py`'s.
"""

from __future__ import annotations

import re

from hatch_harmony.errors import ConfigError
from hatch_harmony.vocabulary import MAX_ATTRIBUTE_NAME_BYTES

# --- the JAR specification's limits -----------------------------------------------------------------

MAX_NAME_BYTES = MAX_ATTRIBUTE_NAME_BYTES
MAX_LINE_BYTES = 72
#: java.util.jar reads lines into a 512-byte buffer (line break included): longer lines fail
#: with "line too long". Lines between 73 and 511 bytes break the spec but Java reads them,
#: so the lenient reader accepts them (the writer re-wraps everything at 72 bytes).
JAVA_MAX_LINE_BYTES = 511
DEFAULT_VERSION = "1.0"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: The line that starts a per-entry section: never an attribute of one.
SECTION_NAME = "Name"
SENSITIVE_WORDS = ("key", "secret", "password", "token", "credential")


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


# --- validation, shared with callers that take attributes from users ---------------------------


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


def attribute_problem(name: str, value: object) -> str | None:
    """Why `name: value` cannot be an attribute of a section, or None. Never quotes the value.

    The one check for every attribute the editor sets, also asked by callers that take
    attributes from users (the connector manifest's `extra`), so they refuse exactly what
    the writer would.
    """
    problem = name_problem(name)
    if problem is not None:
        return problem
    if name.lower() == SECTION_NAME.lower():
        return f"'{SECTION_NAME}' is not an attribute: it starts a per-entry section"
    if not isinstance(value, str):
        return f"the value of {name} is a {type(value).__name__}, not text"
    bad = value_problem(value)
    return None if bad is None else f"{name}: {bad}"


def _shown_name(name: str) -> str:
    return repr(name if len(name) <= 80 else name[:77] + "...")


def is_sensitive(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_WORDS)  # covers KEY and SECRET
