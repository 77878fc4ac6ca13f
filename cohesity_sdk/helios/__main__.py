# PYTHON_ARGCOMPLETE_OK: argcomplete's global completion completes python -m cohesity_sdk.helios.
"""``python -m cohesity_sdk.helios``: the ``cohesity-helios`` command line."""

import sys

from cohesity_sdk.helios.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m cohesity_sdk.helios"))
