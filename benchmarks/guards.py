"""Section 8: what two secret guards cost: reading a finished archive back, and asking git on a warm hit.

    python benchmarks/guards.py                 # 41 rounds, well under a minute
    python benchmarks/guards.py --runs 11 --note "the machine was shared"

* Archive scan (guard/archive_scan.py): the hook's `finalize` reads every sdist and wheel back,
  every entry decompressed and searched for the key and secret. Measured against what the
  archive costs to make: writing the same wheel with zipfile (deflate, as hatchling does), side
  by side, round by round, for a connector's metadata-only wheel, a 2 MB and a 25 MB wheel (half
  text, half random bytes, so deflate works as on real packages).
* Warm hit and git (engine/warm.py): a warm hit asks git whether it still ignores the manifest
  (`git check-ignore`, one process). Measured: `warm.lookup` of a valid stamp with that question
  and with it replaced by "yes" (the alternative it costs), in a monorepo whose top-level
  .gitignore ignores the build folder; and, for comparison, stat-and-CRC of the ten files a
  watch list would need (every .gitignore from the top down, info/exclude, the git configs).
  What a stamp saves is section 1's (the warm build with and without it).

Everything in a temporary folder, in this process; no network, no secret. The section is written
into RESULTS.md between its markers (benchmarks/run.py keeps it).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import report  # noqa: E402
from hatch_harmony.engine import warm  # noqa: E402
from hatch_harmony.guard import archive_scan  # noqa: E402

START, END = "<!-- benchmarks/guards.py: start -->", "<!-- benchmarks/guards.py: end -->"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
#: A manifest shaped like a generated one; its key and secret are this script's own, not Harmony's.
MANIFEST = (
    b"Manifest-Version: 1.0\r\nJitterbit-Connector-Key: bench-key-not-harmonys-0a1b2c3d4e5f\r\n"
    b"Jitterbit-Connector-Secret: bench-secret-not-harmonys-9f8e7d6c5b4a\r\n\r\n"
)
#: (label, files, bytes per file) of the wheels measured.
WHEELS = (("metadata-only wheel", 4, 600), ("2 MB wheel", 200, 20_000), ("25 MB wheel", 100, 500_000))


def write_wheel(path: Path, files: int, size: int, seed: int) -> None:
    rnd = random.Random(seed)
    text = b"def f():\n    return 'hello world'\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(files):
            half = size // 2
            archive.writestr(
                f"pkg/m{index}.py", (text * (half // len(text) + 1))[:half] + rnd.randbytes(half)
            )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def archive_rows(work: Path, runs: int) -> list[str]:
    rows = []
    for label, files, size in WHEELS:
        wheel = work / f"{files}x{size}.whl"
        write_wheel(wheel, files, size, 0)
        writes, scans = [], []
        for _ in range(runs):  # interleaved: write, then scan, each round
            writes.append(timed(lambda: write_wheel(wheel, files, size, 0)))  # noqa: B023
            scans.append(timed(lambda: archive_scan.scan(wheel, MANIFEST, manifest_path="build/x.MF")))  # noqa: B023
        w, s = statistics.median(writes), statistics.median(scans)
        rows.append(
            f"| {label} ({wheel.stat().st_size / 1e6:.2f} MB) | {w * 1000:.1f} ms "
            f"| {s * 1000:.2f} ms | {s / w:.2f} |"
        )
    return rows


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def git_rows(work: Path, runs: int) -> list[str]:
    mono = work / "mono"
    project = mono / "conn"
    manifest = project / "build" / "harmony" / "MANIFEST.MF"
    manifest.parent.mkdir(parents=True)
    git(mono, "init", "-q")
    (mono / ".gitignore").write_text("conn/build/\n", encoding="utf-8")
    (project / ".gitignore").write_text("dist/\n", encoding="utf-8")
    (project / "pyproject.toml").write_text("[project]\nname = 'conn'\n", encoding="utf-8")
    manifest.write_bytes(MANIFEST)
    env = {"XDG_CACHE_HOME": str(work / "cache"), "LOCALAPPDATA": str(work / "cache")}
    files = [project / "pyproject.toml", project / ".gitignore", manifest]
    warm.record(
        project, "key", env, target="jar", files=files, manifest=manifest, adapter=manifest, table_path="t"
    )
    watch = [
        mono / ".gitignore",
        project / ".gitignore",
        project / "build" / ".gitignore",
        manifest.parent / ".gitignore",
        mono / ".git" / "info" / "exclude",
        mono / ".git" / "config",
        Path.home() / ".gitconfig",
        Path.home() / ".config" / "git" / "config",
        Path.home() / ".config" / "git" / "ignore",
        Path("/etc/gitconfig"),
    ]
    asked, trusted, watched = [], [], []
    original = warm._git_still_agrees
    try:
        for _ in range(runs):
            warm._git_still_agrees = original
            asked.append(timed(lambda: warm.lookup(project, "key", env, "jar")))
            warm._git_still_agrees = lambda manifest: True
            trusted.append(timed(lambda: warm.lookup(project, "key", env, "jar")))
            watched.append(timed(lambda: [warm._state(path) for path in watch]))
    finally:
        warm._git_still_agrees = original
    warm._git_still_agrees = original
    if warm.lookup(project, "key", env, "jar") is None:
        raise SystemExit("benchmarks/guards.py: the stamp did not hit; the measurement is void")
    a, t, w = (statistics.median(x) * 1000 for x in (asked, trusted, watched))
    return [
        f"| warm hit, git asked (`git check-ignore`; what the hook does) | {a:.2f} ms |",
        f"| warm hit, git not asked (blind to ignore rules outside the project) | {t:.2f} ms |",
        f"| a watch list instead: stat and CRC of {len(watch)} files git's decision reads | {w:.3f} ms |",
    ]


PROSE_ARCHIVE = """\
The hook's `finalize` reads each sdist and wheel back (guard/archive_scan.py), against writing
that same wheel:
"""
PROSE_GIT = """\
A warm hit asks git whether it still ignores the manifest (engine/warm.py), in a monorepo whose
top-level .gitignore ignores the build folder. A stamp saves a warm build the whole engine
(section 1: hook (warm) against hook (warm, no stamp)); the question costs a part of that:
"""
PROSE_WHY = """\
Why git is asked rather than its files watched: a watch list is cheaper, but it is a second copy
of git's rules (nested .gitignore files, `core.excludesFile` from any of several config files and
their includes, `GIT_DIR` and friends); one missed file is a warm build shipping an un-ignored
secret manifest.
"""


def render(archive: list[str], gits: list[str], runs: int, command: str, note: str | None) -> str:
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    how = f"`{command}`, {date}; {runs} interleaved rounds, medians, in one process."
    lines = [
        START,
        "## 8. Secret guards: the archive read back, and git on a warm hit",
        "",
        how + (f" {note}" if note else ""),
        "",
        PROSE_ARCHIVE,
        "| wheel | writing it (zipfile, deflate) | reading it back | ratio |",
        "|---|---|---|---|",
        *archive,
        "",
        PROSE_GIT,
        "| warm hit | time |",
        "|---|---|",
        *gits,
        "",
        PROSE_WHY.rstrip(),
        END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/guards.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--note")
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("benchmarks/guards.py: needs the git executable", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="hatch-harmony-guards-"))
    try:
        archive = archive_rows(work, args.runs)
        gits = git_rows(work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    command = " ".join(["python benchmarks/guards.py", *(argv if argv is not None else sys.argv[1:])])
    section = render(archive, gits, args.runs, command, args.note)
    report.write_section(args.output, section, START, END)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
