"""`python -m benchmarks.run NAME [--quick] ...`: run a benchmark or rewrite tables."""

import sys

from benchmarks.harness import main_run

if __name__ == "__main__":
    sys.exit(main_run())
