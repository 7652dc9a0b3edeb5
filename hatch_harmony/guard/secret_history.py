"""Which commits and tracked files hold a real connector key or secret (values never leave this module).

Connector manifests were edited by hand for years, and Jitterbit's own sample committed its
key and secret: a secret that was ever committed stays readable in the history, whatever the
working tree holds today. `hatch-harmony init` reports it when a repository moves to
hatch-harmony, and `hatch-harmony doctor` will ask the same question, so the scan lives here,
on its own, and answers with commits and paths only:

* the values found are compared, never printed, logged or kept in a `repr`; they are
  returned only inside a `CommittedPair`, for `doctor` to ask Harmony whether a key found
  in history is still valid;
* a commit message that happens to quote a found value is shown with the value masked;
* the work is bounded: at most `max_commits` commits whose diff touches a
  `Jitterbit-Connector-Key`/`-Secret` line, blobs over `MAX_BLOB_BYTES` skipped, and every
  git call under a time limit. A scan cut short says so (`complete` False and why), because
  "no secret found" must never be claimed for history that was not read.

"A real value" is the manifest module's rule (`vocabulary.is_placeholder`: `****`, empty,
`${KEY}`, ...) plus one decision of ours: a value holding whitespace, quotes or `$`, `%`,
`(`, `<`, `{` or a backtick is a reference or prose (a build script's `$KEY`, a sentence in a
README), not a secret. Commits are found with git's pickaxe (`git log -G`): the commits whose
diff adds or removes such a line, on every ref (`--all`: other branches and tags are as
readable as the current one); a commit counts when its version of the file holds a real value,
so the commit that replaced the secret by `****` is not blamed, the one that added it is.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from hatch_harmony.vocabulary import KEY, SECRET, is_placeholder

MAX_COMMITS = 500
MAX_BLOB_BYTES = 1 << 20
GIT_TIMEOUT_SECONDS = 60.0

_COMMON = KEY[: KEY.rindex("-") + 1]  # "Jitterbit-Connector-", which SECRET starts with too
#: git's pickaxe takes a POSIX regex (basic or extended alike for this one): both attribute
#: names, any case ("Key" and "Sec..." share the letters after "Connector-").
_PICKAXE = "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in _COMMON) + "[KkSs][Ee][YyCc]"
#: One attribute per line, as a manifest, a properties file or a JSON object writes it.
_LINE = re.compile(
    rb"""^[ \t]*["']?("""
    + b"|".join(re.escape(name.encode()) for name in (KEY, SECRET))
    + rb""")["']?[ \t]*[:=][ \t]*(.*?)[ \t]*$""",
    re.IGNORECASE | re.MULTILINE,
)
_REFERENCE_CHARS = frozenset(" \t\"'`$%(<{")

#: What to do about a key or secret found in a commit: `init` and `doctor` both give this advice.
ADVICE_ON_COMMITTED_VALUES = (
    "Anyone who can read this repository, a clone or a fork can read them. What to do: review who has "
    "access to the repository and its copies; to take the values out of the history, rewrite it (`git "
    "filter-repo --replace-text`, or BFG), force-push, and have every clone made again. Re-registering the "
    "connector would give it a new key and secret, but also a new endpoint id and new activity ids: "
    "every Harmony project that uses the connector would break."
)


@dataclass(frozen=True)
class SecretCommit:
    """A commit whose version of `paths` holds a real key or secret (`attributes` says which)."""

    commit: str
    date: str
    subject: str
    paths: tuple[str, ...]
    attributes: tuple[str, ...]

    @property
    def short(self) -> str:
        return self.commit[:12]


@dataclass(frozen=True)
class SecretScan:
    """The answer: commits and tracked files, never values. `complete` is False when a bound stopped it."""

    in_git: bool
    commits: tuple[SecretCommit, ...] = ()
    tracked: tuple[str, ...] = ()
    complete: bool = True
    reason: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.commits or self.tracked)


def _real(value: str) -> bool:
    text = value.strip().rstrip(",;").strip().strip("\"'").strip()
    return not is_placeholder(text) and not (_REFERENCE_CHARS & set(text))


def _values(data: bytes, *, manifest: bool) -> dict[str, list[str]]:
    """Attribute name -> the real values in `data`; callers compare them, never return them."""
    if manifest:  # JAR-spec continuation lines: a long value goes on after a line break and one space
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n ", b"")
    found: dict[str, list[str]] = {}
    for match in _LINE.finditer(data):
        name = KEY if match.group(1).lower() == KEY.lower().encode() else SECRET
        value = match.group(2).decode("utf-8", "replace")
        if _real(value):
            found.setdefault(name, []).append(value.strip().strip("\"'"))
    return found


def holds_secret(data: bytes, path: str = "") -> tuple[str, ...]:
    """The attributes (`Jitterbit-Connector-Key`/`-Secret`) that hold a real value in `data`, sorted."""
    return tuple(sorted(_values(data, manifest=path.upper().endswith(".MF"))))


def _git(root: Path, *args: str, stdin: bytes | None = None, timeout: float) -> tuple[int, bytes, bool]:
    """(exit code, stdout, timed out); a timeout returns what git wrote so far."""
    git = shutil.which("git")
    if git is None:
        return 127, b"", False
    try:
        done = subprocess.run(
            [git, "-c", "core.quotePath=false", *args],
            cwd=root,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return -1, exc.output or b"", True
    return done.returncode, done.stdout, False


def _work_tree_top(root: Path) -> Path | None:
    code, out, _ = _git(root, "rev-parse", "--show-toplevel", timeout=GIT_TIMEOUT_SECONDS)
    text = out.decode("utf-8", "surrogateescape").strip()
    return Path(text) if code == 0 and text else None


def _candidates(
    top: Path, max_commits: int, timeout: float
) -> tuple[list[tuple[str, str, str, list[str]]], bool]:
    """(commit, date, subject, paths) whose diff touches a key/secret line, newest first; and timed out."""
    _, out, timed_out = _git(
        top,
        "log",
        "--all",
        "-z",
        "--no-renames",
        "--no-textconv",
        f"--max-count={max_commits}",
        "--format=%x1e%H%x1f%cI%x1f%s",
        "--name-only",
        f"-G{_PICKAXE}",
        timeout=timeout,
    )
    records = []
    for record in out.split(b"\x1e")[1:]:
        header, _, names = record.partition(b"\0")
        fields = header.decode("utf-8", "replace").split("\x1f")
        if len(fields) != 3:
            continue  # cut off by the time limit
        paths = [n.decode("utf-8", "surrogateescape") for n in names.lstrip(b"\n").split(b"\0") if n]
        records.append((fields[0], fields[1], fields[2], paths))
    return records, timed_out


def _blobs(top: Path, specs: list[str], timeout: float) -> tuple[dict[str, bytes], int, bool]:
    """`commit:path` -> bytes of the blobs of at most MAX_BLOB_BYTES; how many bigger ones; timed out."""
    wanted = [s for s in specs if "\n" not in s]
    if not wanted:
        return {}, 0, False
    stdin = "".join(f"{s}\n" for s in wanted).encode("utf-8", "surrogateescape")
    code, out, timed_out = _git(
        top, "cat-file", "--batch-check=%(objecttype) %(objectsize)", stdin=stdin, timeout=timeout
    )
    sizes = [
        (spec, int(line.split()[1]))
        for spec, line in zip(wanted, out.decode("utf-8", "replace").splitlines(), strict=False)
        if line.startswith("blob ")
    ]
    small = [spec for spec, size in sizes if size <= MAX_BLOB_BYTES]
    big = len(sizes) - len(small)
    if code != 0 or timed_out or not small:
        return {}, big, timed_out
    stdin = "".join(f"{s}\n" for s in small).encode("utf-8", "surrogateescape")
    _, out, timed_out = _git(top, "cat-file", "--batch", stdin=stdin, timeout=timeout)
    blobs: dict[str, bytes] = {}
    position = 0
    for spec in small:
        end = out.find(b"\n", position)
        if end < 0:
            break
        parts = out[position:end].split()
        if len(parts) != 3:
            break
        size = int(parts[2])
        blobs[spec] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return blobs, big, timed_out


def _masked(subject: str, values: list[str]) -> str:
    for value in values:
        if value:
            subject = subject.replace(value, "****")
    return subject


def _history(top: Path, max_commits: int, timeout: float) -> tuple[list[SecretCommit], str | None]:
    records, timed_out = _candidates(top, max_commits, timeout)
    reason = f"git log took longer than {timeout:.0f} s" if timed_out else None
    if len(records) >= max_commits:
        reason = f"only the newest {max_commits} commits touching a key or secret line were read"
    specs = [f"{commit}:{path}" for commit, _, _, paths in records for path in paths]
    blobs, big, blobs_timed_out = _blobs(top, specs, timeout)
    if big:
        reason = f"{big} file version(s) over {MAX_BLOB_BYTES} bytes were not read"
    if blobs_timed_out:
        reason = f"reading the files of those commits took longer than {timeout:.0f} s"
    found: list[SecretCommit] = []
    for commit, date, subject, paths in records:
        holding: list[str] = []
        attributes: set[str] = set()
        values: list[str] = []
        for path in paths:
            data = blobs.get(f"{commit}:{path}")
            hits = _values(data, manifest=path.upper().endswith(".MF")) if data else {}
            if hits:
                holding.append(path)
                attributes.update(hits)
                values += [v for vs in hits.values() for v in vs]
        if holding:
            found.append(
                SecretCommit(
                    commit, date, _masked(subject, values), tuple(holding), tuple(sorted(attributes))
                )
            )
    return found, reason


@dataclass(frozen=True)
class CommittedPair:
    """A key (and the secret beside it, when the same file version holds one) found in history.

    The one way values leave this module: to be shown to Harmony (`doctor` asks whether the
    key is still valid), never to be printed. The values are out of the repr and of `str`;
    `commits` (short ids) is what messages name.
    """

    key: str = field(repr=False)
    secret: str | None = field(repr=False)
    commits: tuple[str, ...]


def committed_pairs(root: Path, commits: tuple[SecretCommit, ...]) -> tuple[CommittedPair, ...]:
    """The distinct key/secret pairs the file versions of `commits` hold, each with the commits holding it.

    A file version with a secret but no key gives no pair: there is nothing to ask Harmony about.
    """
    top = _work_tree_top(root)
    if top is None or not commits:
        return ()
    specs = [f"{c.commit}:{path}" for c in commits for path in c.paths]
    blobs, _, _ = _blobs(top, specs, GIT_TIMEOUT_SECONDS)
    found: dict[tuple[str, str | None], list[str]] = {}
    for c in commits:
        for path in c.paths:
            data = blobs.get(f"{c.commit}:{path}")
            values = _values(data, manifest=path.upper().endswith(".MF")) if data else {}
            for index, key in enumerate(values.get(KEY, [])):
                secrets = values.get(SECRET, [])
                pair = (key, secrets[index] if index < len(secrets) else None)
                if c.short not in found.setdefault(pair, []):
                    found[pair].append(c.short)
    return tuple(CommittedPair(key, secret, tuple(shorts)) for (key, secret), shorts in found.items())


def tracked_with_secrets(root: Path, *, timeout: float = GIT_TIMEOUT_SECONDS) -> tuple[str, ...]:
    """Tracked files whose working-tree content holds a real key or secret, relative to `root`."""
    code, out, _ = _git(
        root, "grep", "-I", "-l", "-z", "-i", "-E", "-e", f"({KEY}|{SECRET})", timeout=timeout
    )
    if code != 0:
        return ()
    holding = []
    for raw in out.split(b"\0"):
        if not raw:
            continue
        path = raw.decode("utf-8", "surrogateescape")
        try:
            data = (root / path).read_bytes()
        except OSError:
            continue
        if holds_secret(data, path):
            holding.append(path)
    return tuple(sorted(holding))


def scan(root: Path, *, max_commits: int = MAX_COMMITS, timeout: float = GIT_TIMEOUT_SECONDS) -> SecretScan:
    """Commits (on every ref) and tracked files of the repository around `root` that hold a real key/secret.

    Outside a git work tree (or without git) the answer is `in_git=False` and nothing found.
    Paths of commits are relative to the repository's top; tracked paths to `root`.
    """
    top = _work_tree_top(root)
    if top is None:
        return SecretScan(in_git=False)
    commits, reason = _history(top, max_commits, timeout)
    return SecretScan(
        in_git=True,
        commits=tuple(commits),
        tracked=tracked_with_secrets(root, timeout=timeout),
        complete=reason is None,
        reason=reason,
    )
