"""The README and docs/*.md as the tests read them: a file, a section of it, its fenced blocks, its anchors.

Promises moved from README.md to docs/ with their tests: each test names the file it reads, so a
promise cannot lose its test by moving.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read(name: str = "README.md") -> str:
    """A Markdown file of this repository, by its path from the root (`docs/api-contract.md`)."""
    return (ROOT / name).read_text(encoding="utf-8")


def outside_code(text: str) -> str:
    """The text without its fenced blocks: a `#` line inside one is no heading."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def section(text: str, heading: str) -> str:
    """From the heading line (`## Installing`) to the next heading of its level or above, fences skipped."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == heading)
    fenced = False
    for end in range(start + 1, len(lines)):
        line = lines[end]
        if line.startswith("```"):
            fenced = not fenced
        match = re.match(r"^(#{1,6}) ", line)
        if not fenced and match and len(match.group(1)) <= level:
            return "".join(lines[start:end])
    return "".join(lines[start:])


def fenced(text: str, language: str) -> list[str]:
    """The bodies of the fenced blocks of one language (``` ```sh ``` ```), in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def squash(text: str) -> str:
    return " ".join(text.split())


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", outside_code(text), flags=re.M)}
