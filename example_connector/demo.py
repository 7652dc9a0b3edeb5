"""The demo: build this example connector's jar against the bundled Harmony emulator.

    python3 example_connector/demo.py

needs only Python, pip and a JDK. It installs hatch-harmony (from this checkout) into
`example_connector/.demo-venv`, starts the emulator on 127.0.0.1 (state kept in
`example_connector/build/emulator-state.json`, so a second run finds the registration
again), compiles the Java sources with `javac` against the SDK in lib/ (a stand-in if
Jitterbit's jar is not there), runs `python -m hatchling build -t jar`
twice, and shows what happened and the manifest with the secret masked.

The emulator is a local stand-in for Harmony's Connector Manager API, not Harmony: nothing
here talks to Jitterbit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".demo-venv"
BUILD = HERE / "build"
DEMO_PORT = int(os.environ.get("HARMONY_DEMO_PORT", "8749"))


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def bootstrap() -> int:
    """Create the demo venv with hatch-harmony installed, then rerun this script inside it."""
    python = _venv_python()
    if not python.exists():
        print(f"demo: creating {VENV.relative_to(REPO)} and installing hatch-harmony from this checkout ...")
        venv.EnvBuilder(with_pip=True).create(VENV)
    probe = subprocess.run(
        [str(python), "-I", "-c", "import hatch_harmony.emulator"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-qq", "--disable-pip-version-check", "-e", str(REPO)],
            check=True,
        )
    return subprocess.run([str(python), str(Path(__file__).resolve()), "--inner"], check=False).returncode


def compile_java() -> Path:
    classes = BUILD / "classes"
    javac = shutil.which("javac")
    if javac is None:
        sys.exit("demo: javac not found. Install a JDK (17 or newer) and run the demo again.")
    from hatch_harmony.init.sdk_stand_in import make_stand_in, sdk_jars

    lib = HERE / "lib"
    if not sdk_jars(lib):  # Jitterbit's SDK jar, if put there, is used as it is
        made = make_stand_in(lib)
        print(f"demo: compiled the SDK stand-in {made.relative_to(REPO)} (compile-only; never bundled)")
    sources = sorted(str(p) for p in (HERE / "src").rglob("*.java"))
    shutil.rmtree(classes, ignore_errors=True)
    class_path = os.pathsep.join(str(p) for p in sdk_jars(lib))
    subprocess.run([javac, "--release", "11", "-cp", class_path, "-d", str(classes), *sources], check=True)
    print(f"demo: compiled {len(sources)} Java sources into {classes.relative_to(REPO)}")
    return classes


def build(env: dict[str, str], label: str, emulator: object) -> None:
    from hatch_harmony.emulator import Emulator

    assert isinstance(emulator, Emulator)
    emulator.reset_counts()
    print(f"\n=== {label}: python -m hatchling build -t jar")
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "jar"], cwd=HERE, env=env, check=False
    )
    if done.returncode != 0:
        sys.exit(f"demo: the build failed (exit {done.returncode}); its message is above.")
    counts = {route: n for route, n in emulator.counts().items() if n}
    total = sum(counts.values())
    detail = ", ".join(f"{route} {n}" for route, n in counts.items()) if counts else "none"
    print(f"demo: the emulator saw {total} request{'s' if total != 1 else ''} ({detail})")


def show_manifest() -> None:
    from hatch_harmony import jar_manifest as jm
    from hatch_harmony import vocabulary

    path = BUILD / "harmony" / "MANIFEST.MF"
    parsed = jm.Manifest.parse(path.read_bytes(), source=str(path))
    print(f"\n=== {path.relative_to(REPO)} (mode {oct(path.stat().st_mode & 0o777)}; secret masked)")
    for name, value in parsed.main.items():
        shown = value
        if name.lower() in (vocabulary.KEY.lower(), vocabulary.SECRET.lower()):
            shown = f"******** ({len(value)} characters, masked)"
        print(f"{name}: {shown}")
    jars = sorted((HERE / "dist").glob("*.jar"))
    for jar in jars:
        print(f"\njar: {jar.relative_to(REPO)} ({jar.stat().st_size} bytes)")


def inner() -> int:
    from hatch_harmony.emulator import DEFAULT_EMAIL, DEFAULT_PASSWORD, Emulator

    BUILD.mkdir(exist_ok=True)
    compile_java()
    emulator = Emulator(port=DEMO_PORT, data_file=BUILD / "emulator-state.json", test_controls=True).start()
    try:
        print(f"demo: Harmony emulator (not Harmony) at {emulator.url}, user {DEFAULT_EMAIL}")
        env = {
            **os.environ,
            "HARMONY_URL": emulator.url,
            "HARMONY_EMAIL": DEFAULT_EMAIL,
            "HARMONY_PASSWORD": DEFAULT_PASSWORD,
        }
        env.pop("HARMONY_OFFLINE", None)
        build(env, "first build", emulator)
        build(env, "second build (lock and manifest warm)", emulator)
        show_manifest()
    finally:
        emulator.stop()
    print("\ndemo: done. Run it again: the registration is found in harmony.lock and no request is made.")
    return 0


if __name__ == "__main__":
    sys.exit(inner() if "--inner" in sys.argv else bootstrap())
