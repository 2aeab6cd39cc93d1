"""``python -m analysis.changepoints._build``: compile the search kernels ahead of time
(:mod:`analysis.changepoints._aot`; ``--check`` says whether a current build exists)."""

import sys

from ._aot import main

if __name__ == "__main__":
    sys.exit(main())
