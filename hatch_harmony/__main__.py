import sys

from hatch_harmony.cli import main

sys.exit(main())
