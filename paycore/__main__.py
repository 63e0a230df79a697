"""``python -m paycore``: the same as the ``paycore`` command."""

import sys

from paycore.cli import main

if __name__ == "__main__":
    sys.exit(main())
