"""The two small edits init makes to files people wrote: the committed manifest and .gitignore.

The committed manifest becomes the build's template. Its real key and secret are replaced
by Jitterbit's own placeholders (`****`, `*****`) line by line, every other byte kept: the
endpoint and activity ids (the first build keeps them, README "Existing connectors"), the
Class-Path continued over many lines, LF or CRLF, the attribute order. The edit is checked by
parsing the result: the same attributes, only key and secret changed, or init stops rather
than write a manifest it did not mean to. Which values count as real is `vocabulary.is_placeholder`'s rule.

.gitignore gets the lines that keep the generated manifest (its secret), `dist/` and the
lock's sidecar files out of git, only those git does not ignore already.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hatch_harmony import vocabulary as words
from hatch_harmony.errors import ConfigError
from hatch_harmony.jar_manifest import Manifest
from hatch_harmony.project import connector_manifest as cm
from hatch_harmony.util.git import GitStatus, git_status, is_tracked

PLACEHOLDERS = {words.KEY.lower(): "****", words.SECRET.lower(): "*****"}
_ATTRIBUTE_LINE = re.compile(rb"^(\xef\xbb\xbf)?([A-Za-z0-9][A-Za-z0-9_-]*)(:[ ]?)")
GITIGNORE_HEADER = (
    "# hatch-harmony: the generated manifest (it holds the connector secret), jars, lock sidecars"
)


def _expected(parsed: Manifest, real: set[str]) -> list[tuple[str, str]]:
    return [(n, PLACEHOLDERS[n.lower()] if n.lower() in real else v) for n, v in parsed.main.items()]


def without_secrets(data: bytes, source: str) -> bytes | None:
    """`data` with a real key and secret replaced by placeholders; None when it holds neither."""
    parsed = Manifest.parse(data, source=source)
    key, secret = cm.registration_values(parsed)
    real = {name.lower() for name, value in ((words.KEY, key), (words.SECRET, secret)) if value}
    if not real:
        return None
    out: list[bytes] = []
    skipping = False
    for line in data.splitlines(keepends=True):
        if skipping and line.startswith(b" "):
            continue  # a continuation of the value being replaced
        skipping = False
        match = _ATTRIBUTE_LINE.match(line)
        name = match.group(2).decode("ascii").lower() if match else ""
        if match and name in real:
            ending = line[len(line.rstrip(b"\r\n")) :]
            out.append(line[: match.end()] + (b"" if match.group(3).endswith(b" ") else b" "))
            out[-1] += PLACEHOLDERS[name].encode() + ending
            skipping = True
            continue
        out.append(line)
    result = b"".join(out)
    edited = Manifest.parse(result, source=source)
    if edited.main.items() != _expected(parsed, real) or edited.sections != parsed.sections:
        raise ConfigError(
            f"{source}: init could not put placeholders in place of the key and secret without changing "
            "other lines; put **** as their values by hand (keep the ids) and run init again"
        )
    return result


@dataclass(frozen=True)
class IgnoreLine:
    line: str
    why: str


def _wanted(root: Path, manifest: Path) -> list[tuple[IgnoreLine, Path]]:
    """The lines init wants, each with a path it must make git ignore."""
    relative = manifest.relative_to(root).as_posix()
    if relative.startswith("build/") and not is_tracked(root / "build"):
        manifest_line = "build/"  # the README's line: build/ is build output
    elif relative.startswith("build/"):  # git tracks files in build/: ignore only the manifest's folder
        manifest_line = "/" + relative.rsplit("/", 1)[0] + "/"
    else:  # a `manifest` option of the user's own
        manifest_line = f"/{relative}"
    return [
        (IgnoreLine(manifest_line, "the generated manifest (it holds the connector secret)"), manifest),
        (IgnoreLine("dist/", "the built jars"), root / "dist" / "connector.jar"),
        (IgnoreLine(".harmony.lock.*", "the lock's sidecar files"), root / ".harmony.lock.lck"),
    ]


def gitignore_lines(root: Path, manifest: Path) -> list[IgnoreLine]:
    """The lines .gitignore lacks. In git, asked of git; outside it, by the file's own lines."""
    path = root / ".gitignore"
    existing = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.is_file() else []
    missing = []
    for wanted, probe in _wanted(root, manifest):
        status = git_status(probe)
        if status is GitStatus.TRACKED and probe == manifest:
            raise ConfigError(
                f"{manifest.relative_to(root).as_posix()} is tracked by git, and the generated manifest "
                "(with the connector secret) goes there: `git rm --cached` it and run init again"
            )
        ignored = status is GitStatus.IGNORED or (status is GitStatus.OUTSIDE and wanted.line in existing)
        if not ignored:
            missing.append(wanted)
    return missing


def gitignore_text(root: Path, lines: list[IgnoreLine]) -> bytes | None:
    """root/.gitignore with `lines` appended (its own line breaks kept); None when there is nothing to add."""
    if not lines:
        return None
    path = root / ".gitignore"
    before = path.read_bytes() if path.is_file() else b""
    newline = b"\r\n" if b"\r\n" in before else b"\n"
    added = newline.join([GITIGNORE_HEADER.encode(), *(item.line.encode() for item in lines)]) + newline
    if before and not before.endswith((b"\n", b"\r")):
        before += newline
    return before + (newline if before else b"") + added
