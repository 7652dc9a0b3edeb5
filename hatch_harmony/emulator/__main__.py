"""`python -m hatch_harmony.emulator`: the same as `hatch-harmony emulator`."""

from __future__ import annotations

from hatch_harmony.emulator.command import main

if __name__ == "__main__":
    raise SystemExit(main())
