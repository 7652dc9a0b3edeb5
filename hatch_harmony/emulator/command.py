"""`hatch-harmony emulator` and `python -m hatch_harmony.emulator`: serve until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import shlex
import shutil
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from hatch_harmony.emulator.server import Emulator
from hatch_harmony.emulator.state import (
    DEFAULT_EMAIL,
    DEFAULT_ORG_ID,
    DEFAULT_PASSWORD,
    SSO_EMAIL,
    TFA_EMAIL,
    User,
    default_users,
)
from hatch_harmony.errors import ConfigError, HarmonyError
from hatch_harmony.util.data_dir import emulator_data_file
from hatch_harmony.vocabulary import EMAIL_VAR, PASSWORD_VAR, URL_VAR

#: A fixed default port, so a demo's HARMONY_URL stays the same from one run to the next.
DEFAULT_PORT = 8765


def parse_user(text: str) -> User:
    """`EMAIL:PASSWORD[:ORG_ID]`; the password may contain ':' (an all-digit last part is the org id)."""
    email, sep, rest = text.partition(":")
    org_id = DEFAULT_ORG_ID
    head, colon, tail = rest.rpartition(":")
    if colon and tail.isdigit() and tail.isascii():
        rest, org_id = head, tail
    if not sep or "@" not in email or not rest:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD[:ORG_ID], e.g. me@example.com:secret:10002")
    return User(email, rest, org_id)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (loopback only without --allow-remote)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="TCP port; 0 picks a free one (default %(default)s)"
    )
    state = parser.add_mutually_exclusive_group()
    state.add_argument(
        "--data",
        type=Path,
        metavar="FILE",
        help="keep registrations in FILE across restarts (default: emulator-PORT.json in the user's data "
        "folder; written 0600: it holds keys and secrets)",
    )
    state.add_argument(
        "--memory", action="store_true", help="keep registrations in memory only (the default with --port 0)"
    )
    parser.add_argument(
        "--user",
        type=parse_user,
        action="append",
        metavar="EMAIL:PASSWORD[:ORG_ID]",
        help=f"an account to accept (repeatable); replaces the demo accounts (default org {DEFAULT_ORG_ID})",
    )
    parser.add_argument(
        "--session-timeout",
        type=int,
        default=14400,
        metavar="SECONDS",
        help="tokens expire after this many seconds (default %(default)s, as Harmony advertises)",
    )
    parser.add_argument(
        "--test-controls",
        action="store_true",
        help="answer the test controls under /__emulator__/ (fault injection, counters); for tests only",
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --host (the demo data is public)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not log each request on stderr")


def _this_python() -> str:
    """How a shell reaches the Python running the emulator, which has hatchling and hatch-harmony.

    `hatch build` may not be installed here, and would install hatch-harmony from an index into
    its own build environment rather than use this one; hatchling is a dependency, so this
    interpreter's `-m hatchling` always works. Plain `python`/`python3` when PATH finds this very
    interpreter (an activated venv), else its path.
    """
    for name in ("python", "python3"):
        found = shutil.which(name)
        # absolute(), not resolve(): a venv's python is a symlink to the base one, yet another environment
        if found is not None and Path(found).absolute() == Path(sys.executable).absolute():
            return name
    return shlex.quote(sys.executable)


def _banner(emulator: Emulator) -> str:
    lines = [
        "hatch-harmony emulator: a local stand-in for the Connector Manager API, NOT Jitterbit Harmony.",
        f"URL: {emulator.url}",
    ]
    builtin = {(u.email, u.password) for u in default_users()}
    for user in emulator.users:
        shown = f"password {user.password}" if (user.email, user.password) in builtin else "password as given"
        note = " (login refused: two-factor)" if user.tfa else " (login refused: SSO)" if user.sso else ""
        lines.append(f"User: {user.email}  {shown}  org {user.org_id}{note}")
    lines.append(
        f"State: saved in {emulator.data_file} (kept across restarts; --memory forgets, --data FILE moves it)"
        if emulator.data_file
        else "State: in memory only (lost when it stops; a fixed --port keeps it in a data file)"
    )
    lines.append(f"Test controls: {'on, under /__emulator__/' if emulator.test_controls else 'off'}")
    if any(u.email == DEFAULT_EMAIL and u.password == DEFAULT_PASSWORD for u in emulator.users):
        lines.append(
            f"Try, in a connector project: {URL_VAR}={emulator.url} {EMAIL_VAR}={DEFAULT_EMAIL} "
            f"{PASSWORD_VAR}={DEFAULT_PASSWORD} {_this_python()} -m hatchling build -t jar"
        )
    lines.append("Stop with Ctrl+C.")
    return "\n".join(lines)


def _data_file(args: argparse.Namespace) -> Path | None:
    """--data FILE; else, for a fixed port, the user's data folder (a random port's URL changes anyway)."""
    given: Path | None = args.data
    if given is not None or getattr(args, "memory", False) or args.port == 0:
        return given
    path = emulator_data_file(args.port)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{path.parent}: cannot create the emulator's data folder ({exc.strerror or exc}); pass --data "
            "FILE or --memory"
        ) from None
    return path


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; 0 on a clean stop, the error's exit code if it cannot start."""
    stop = threading.Event()
    handler: logging.Handler | None = None
    if not getattr(args, "quiet", False):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger = logging.getLogger("hatch_harmony.emulator")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    previous: dict[signal.Signals, Any] = {}
    try:
        emulator = Emulator(
            args.host,
            args.port,
            users=args.user,
            data_file=_data_file(args),
            session_timeout=args.session_timeout,
            test_controls=args.test_controls,
            allow_remote=args.allow_remote,
        )
        with emulator:

            def on_signal(signum: int, frame: FrameType | None) -> None:
                stop.set()

            # Handlers first, banner second: whoever reads the banner (a test, a script) may
            # signal right away, and must get a clean stop, not a kill.
            if threading.current_thread() is threading.main_thread():
                for sig in (signal.SIGINT, signal.SIGTERM):
                    previous[sig] = signal.signal(sig, on_signal)
            print(_banner(emulator), flush=True)
            while not stop.wait(0.2):
                pass
        print("Emulator stopped.", flush=True)
        return 0
    except HarmonyError as exc:
        print(f"hatch-harmony emulator: error: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        for restored, old in previous.items():
            signal.signal(restored, old)
        if handler is not None:
            logging.getLogger("hatch_harmony.emulator").removeHandler(handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hatch_harmony.emulator",
        description="Run the local Connector Manager API emulator (a stand-in for Harmony: demos, tests).",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


__all__ = ["DEFAULT_PORT", "SSO_EMAIL", "TFA_EMAIL", "add_arguments", "main", "parse_user", "run"]
