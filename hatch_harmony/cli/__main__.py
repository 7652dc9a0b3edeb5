"""`python -m hatch_harmony.cli`."""

from hatch_harmony.cli import main

raise SystemExit(main())
