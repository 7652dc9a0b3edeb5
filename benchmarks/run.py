"""Benchmarks of hatch-harmony: hook overhead, import cost, request counts, scale -> RESULTS.md.

    python benchmarks/run.py                 # about 2 minutes on 2 cores
    python benchmarks/run.py --quick         # fewer rounds, about 1 minute
    python benchmarks/run.py --runs 31 --newman --note "dedicated machine"

Run it from a checkout with the package installed (`pip install -e ".[test]"`) and a JDK on
PATH, with the interpreter that has hatch-harmony: every build runs `sys.executable -m
hatchling`. It builds copies of example_connector/ and a generated 99-activity, 200-jar
connector in a temporary folder, against an in-process emulator, and writes
benchmarks/RESULTS.md (machine, date, this command, every figure). Not part of the test
suite: exit status 1 only when a correctness check fails (request counts, identical jars,
httpx on the warm path), never for a speed figure, which RESULTS.md reports with a verdict.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import cli_startup, guards, imports, maven, overhead, request_counts, scale, wheel_model  # noqa: E402
from benchmarks.harness import BenchmarkError  # noqa: E402
from benchmarks.machine import describe, load_average  # noqa: E402
from benchmarks.report import Newman, Report, kept_section, render, write_section  # noqa: E402
from hatch_harmony.emulator import DEFAULT_ORG_ID, DEFAULT_PASSWORD, Emulator  # noqa: E402

NEWMAN_SCRIPT = ROOT / "benchmarks" / "newman" / "run.py"
NEWMAN_BINARY = Path.home() / ".cache" / "hatch-harmony" / "newman" / "node_modules" / ".bin" / "newman"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="rounds per comparison (default 41)")
    parser.add_argument(
        "--scale-runs", type=int, help="rounds of the scale comparison (default: --runs // 2 + 1)"
    )
    parser.add_argument("--quick", action="store_true", help="9 rounds, 5 for scale: well under a minute")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md", help="report file")
    parser.add_argument("--note", help="a sentence for RESULTS.md, e.g. that the machine was shared")
    newman = parser.add_mutually_exclusive_group()
    newman.add_argument(
        "--newman",
        dest="newman",
        action="store_const",
        const="yes",
        help="run benchmarks/newman/run.py (installs newman with npm if needed)",
    )
    newman.add_argument("--no-newman", dest="newman", action="store_const", const="no", help="skip newman")
    parser.set_defaults(newman="auto")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects (path printed)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 9
        args.scale_runs = args.scale_runs or 5
    if args.runs < 3:
        parser.error("--runs must be at least 3 (medians of fewer runs mean little)")
    args.scale_runs = args.scale_runs or args.runs // 2 + 1
    return args


def step(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_newman(mode: str) -> Newman:
    if mode == "no":
        return Newman(False, False, "Not run (`--no-newman`).")
    if mode == "auto" and not NEWMAN_BINARY.exists():
        return Newman(
            False,
            False,
            "Not run: newman is not installed in ~/.cache/hatch-harmony/newman. `python benchmarks/run.py "
            "--newman` (or `python benchmarks/newman/run.py`) installs it with npm and runs Jitterbit's "
            "collection against the emulator.",
        )
    done = subprocess.run([sys.executable, str(NEWMAN_SCRIPT)], capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(("ok", "FAIL", "PASSED", "FAILED"))]
    verdict = lines[-1] if lines else f"no verdict (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    body = "\n".join(f"    {line}" for line in lines[:-1])
    return Newman(
        True,
        done.returncode == 0,
        f"`python benchmarks/newman/run.py`: **{verdict}**\n\n{body}" if body else f"`{verdict}`",
    )


#: Sections that their own commands measure (maven.py: needs Maven; wheel_overhead.py: needs the
#: package registry for its baseline venv), kept between their markers when run.py rewrites the rest.
KEPT_SECTIONS = ((maven.START, maven.END), (wheel_model.START, wheel_model.END), (guards.START, guards.END))


def write_results(output: Path, text: str) -> None:
    """Write RESULTS.md, keeping the sections that maven.py, wheel_overhead.py and guards.py measure."""
    previous = output.read_text(encoding="utf-8") if output.is_file() else ""
    output.write_text(text, encoding="utf-8")
    for start, end in KEPT_SECTIONS:
        section = kept_section(previous, start, end)
        if section is not None:
            write_section(output, section, start, end)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    command = shlex.join(["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)])
    if shutil.which("javac") is None or shutil.which("jar") is None:
        sys.exit("benchmarks/run.py: needs a JDK (javac and jar on PATH)")
    started = time.perf_counter()
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = describe()
    workdir = Path(tempfile.mkdtemp(prefix="hatch-harmony-bench-"))
    pycache = workdir / "pycache"
    try:
        with Emulator(test_controls=True) as emulator:
            step(f"1/5 hook overhead: {args.runs} rounds x 3 variants (work in {workdir})")
            over = overhead.measure(workdir, emulator, pycache, args.runs)
            step(
                f"    hook {over.summaries[overhead.HOOK].median_ms:.0f} ms, no hook "
                f"{over.summaries[overhead.NO_HOOK].median_ms:.0f} ms: {over.overhead_percent:+.1f} %"
            )
            step(f"2/5 import cost: {args.runs} interpreters each")
            warm = workdir / "example-hook"
            imp = imports.measure(
                workdir, warm, overhead.warm_env(pycache, emulator), over.probe.new_modules, args.runs
            )
            step(f"    own imports {imp.hooks_own_self_ms:.1f} ms, httpx imported: {imp.httpx_imported}")
            cli = cli_startup.measure(warm, overhead.warm_env(pycache, emulator), args.runs)
            step(
                f"    hatch-harmony status: x {cli.ratio_vs_python:.2f} python -c pass, "
                f"x {cli.ratio_vs_hatchling:.2f} import hatchling"
            )
            step("3/5 request counts per situation")
            req = request_counts.measure(workdir, pycache)
            step(f"    {sum(r.ok for r in req.rows)}/{len(req.rows)} rows as DESIGN.md says")
            step(f"4/5 scale: 99 activities, 200 jars, {args.scale_runs} rounds x 3 variants")
            big = scale.measure(workdir, emulator, pycache, args.scale_runs)
            step(
                f"    hook build {big.summaries[overhead.HOOK].median_ms:.0f} ms, jar --create "
                f"{big.summaries[overhead.JAR_TOOL].median_ms:.0f} ms"
            )
            # every password, key and secret of this run: none may appear in RESULTS.md
            secrets = {DEFAULT_PASSWORD, *req.secrets}
            secrets.update(
                value for r in emulator.registrations(DEFAULT_ORG_ID) for value in (r.key, r.secret)
            )
        step("5/5 newman")
        newman = run_newman(args.newman)
    except BenchmarkError as exc:
        print(f"benchmarks/run.py: {exc}\n(projects kept in {workdir} to look at)", file=sys.stderr)
        return 1
    except BaseException:
        print(f"(projects kept in {workdir})", file=sys.stderr)
        raise
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    report = Report(
        command=command,
        date=date,
        seconds=time.perf_counter() - started,
        machine=machine,
        load_after=load_average(),
        note=args.note,
        overhead=over,
        imports=imp,
        requests=req,
        scale=big,
        newman=newman,
        cli_startup=cli,
    )
    text = render(report)
    leaked = [value for value in secrets if value and value in text]
    if leaked:  # never write a report that carries a password, key or secret
        print(f"benchmarks/run.py: refusing to write {args.output}: it would hold {len(leaked)} secret(s)")
        return 1
    write_results(args.output, text)
    summary = text.split("## Summary", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(
        line for line in text.split("## 3.", 1)[1].split("\n## ", 1)[0].splitlines() if line.startswith("|")
    )
    print(f"\nSummary{summary}\nRequests per situation (DESIGN.md's table)\n\n{table}\n")
    print(f"Written to {args.output}" + (f"; projects kept in {workdir}" if args.keep else ""))
    correct = (
        req.ok
        and not imp.httpx_imported
        and cli.correct
        and over.jars_identical
        and over.same_files_as_jar_tool
        and big.jars_identical
        and big.same_files_as_jar_tool
        and (not newman.ran or newman.passed)
    )
    return 0 if correct else 1


if __name__ == "__main__":
    raise SystemExit(main())
