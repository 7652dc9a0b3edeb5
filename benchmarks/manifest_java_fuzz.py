"""The manifest properties at scale, randomized, against JDK's java.util.jar (not part of pytest).

    python benchmarks/manifest_java_fuzz.py [--examples 3000] [--seed N]

Three checks, each with thousands of hypothesis examples and a few JVM runs in batches:
1. writer -> Java: every generated manifest is written by `Manifest.to_bytes` and Java must
   read back exactly its attributes (values, spelling, order, sections);
2. templates -> both readers: the same manifests folded the way hand-made templates are (any
   line break, continuations cut at random bytes, extra blank lines) must read as the
   intended manifest in Java and in `Manifest.parse`;
3. reader agreement: random manifest-like bytes that both Java and our lenient reader accept
   must give the same attributes (where Java fails, or silently drops an unterminated last
   line, we are allowed to be more lenient, see `Manifest.parse`).
Exit status 1 on any disagreement, with the first examples printed. Needs a JDK.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from hatch_harmony.jar_manifest import Manifest, ManifestError  # noqa: E402
from tests.jar_manifest.test_manifest_props import manifest_like_bytes, manifests, template_variants  # noqa: E402
from tests.plugins.java import compile_checker, run_checker  # noqa: E402

BATCH = 500


def draw(strategy: object, count: int, chosen_seed: int | None) -> list[object]:
    """`count` random examples of a hypothesis strategy (randomized unless a seed is given)."""
    drawn: list[object] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)  # type: ignore[arg-type]
    def collect(example: object) -> None:
        drawn.append(example)

    if chosen_seed is not None:
        collect = seed(chosen_seed)(collect)
    collect()
    return drawn


def java_reads(classes: Path, workdir: Path, blobs: list[bytes]) -> list[dict[str, object]]:
    reads: list[dict[str, object]] = []
    for start in range(0, len(blobs), BATCH):
        paths = []
        for i, blob in enumerate(blobs[start : start + BATCH], start):
            path = workdir / f"{i}.MF"
            path.write_bytes(blob)
            paths.append(path)
        reads += run_checker(classes, paths, allow_errors=True)
    return reads


def as_java(m: Manifest) -> tuple[list[tuple[str, str]], dict[str | None, dict[str, str]]]:
    return m.main.items(), {s.name: dict(s.items()) for s in m.sections}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        classes = compile_checker(workdir / "classes")

        began = time.perf_counter()
        generated = [m for m in draw(manifests(), args.examples, args.seed) if isinstance(m, Manifest)]
        written = [m.to_bytes() for m in generated]
        reads = java_reads(classes, workdir, written)
        for m, data, read in zip(generated, written, reads, strict=True):
            if "error" in read:
                failures.append(f"Java cannot read our output {data!r}: {read['error']}")
            elif (list(read["main"].items()), read["sections"]) != as_java(m):  # type: ignore[attr-defined]
                failures.append(f"Java reads {read} from our output {data!r}")
        elapsed = time.perf_counter() - began
        print(f"writer -> Java: {len(generated)} manifests, {len(failures)} failures, {elapsed:.1f}s")

        began = time.perf_counter()
        cases = [c for c in draw(template_variants(), args.examples, args.seed) if isinstance(c, tuple)]
        reads = java_reads(classes, workdir, [data for _, data in cases])
        for (m, data), read in zip(cases, reads, strict=True):
            expected = as_java(m)
            if "error" in read or (list(read["main"].items()), read["sections"]) != expected:  # type: ignore[attr-defined]
                failures.append(f"Java reads {read} from template {data!r}")
            try:
                ours = as_java(Manifest.parse(data))
            except ManifestError as exc:
                failures.append(f"we cannot read template {data!r}: {exc}")
                continue
            if ours != expected:
                failures.append(f"we read {ours} from template {data!r}")
        elapsed = time.perf_counter() - began
        print(f"templates -> both readers: {len(cases)} templates, {elapsed:.1f}s")

        began = time.perf_counter()
        inputs = [b for b in draw(manifest_like_bytes, args.examples, args.seed) if isinstance(b, bytes)]
        inputs = [b for b in inputs if b.endswith((b"\n", b"\r"))]  # Java drops an unterminated last line
        reads = java_reads(classes, workdir, inputs)
        compared = 0
        for data, read in zip(inputs, reads, strict=True):
            try:
                ours = Manifest.parse(data)
            except ManifestError:
                continue
            if "error" in read:
                continue  # more lenient than Java: allowed, see Manifest.parse
            compared += 1
            if (list(read["main"].items()), read["sections"]) != as_java(ours):  # type: ignore[attr-defined]
                failures.append(f"reader disagrees with Java on {data!r}: Java {read}, ours {ours}")
        elapsed = time.perf_counter() - began
        print(f"reader vs Java: {len(inputs)} inputs, {compared} read by both, {elapsed:.1f}s")

    for failure in failures[:10]:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
