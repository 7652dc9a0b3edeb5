"""MANIFEST.MF per the JAR File Specification: a lenient reader, an editor, a canonical writer.

The manifest is the product's output, and Java is unforgiving and silent about it: a last
line without a line break is dropped, a bad header name or a line Java's buffer cannot hold
breaks loading (the specification allows 72 bytes), and a CR/LF inside a value returned by
a server would inject a header. So this
module writes only what the specification allows (checked against JDK 17's
`java.util.jar` by the project's own Java checker, `tests/java/ManifestDump.java`), while it
reads the hand-written templates connector developers actually have (LF or CR line
breaks, no `Manifest-Version`, a `Class-Path` continued over many lines, placeholders).

The JAR format only, with no Jitterbit rule inside: what a connector manifest must hold
(registration data, no placeholders, numeric ids, the UI file) is `connector_manifest.py`'s,
on top of this module, so the writer writes any manifest it is given, a masked copy for
display included. Pure: bytes in, bytes out. Secrets: the values of attributes whose name
says key, secret, password, token or credential (`Jitterbit-Connector-Key`/`-Secret`
among them) never appear in a `repr`, and no error message quotes a value.
"""

from __future__ import annotations

from hatch_harmony.jar_manifest.model import Manifest, Section
from hatch_harmony.jar_manifest.spec import (
    DEFAULT_VERSION,
    JAVA_MAX_LINE_BYTES,
    MAX_LINE_BYTES,
    MAX_NAME_BYTES,
    SECTION_NAME,
    ManifestError,
    attribute_problem,
    name_problem,
    value_problem,
)

__all__ = [
    "DEFAULT_VERSION",
    "JAVA_MAX_LINE_BYTES",
    "MAX_LINE_BYTES",
    "MAX_NAME_BYTES",
    "SECTION_NAME",
    "Manifest",
    "ManifestError",
    "Section",
    "attribute_problem",
    "name_problem",
    "value_problem",
]
