"""``python -m rlsmodel``: the same command line as the ``rlsmodel`` script."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
