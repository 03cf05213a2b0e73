"""``python -m skcausal``: the command-line interface (see :mod:`skcausal.cli`)."""

import sys

from skcausal.cli import main

if __name__ == "__main__":
    sys.exit(main())
