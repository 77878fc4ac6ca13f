"""``cohesity-helios completion bash|zsh|fish``: the shell's completion script, made by
argcomplete from the parser itself, so that it completes every command, option and
option value (``-o json|table|csv``) of the installed version.

The script asks the command for completions: it runs ``cohesity-helios`` with
``_ARGCOMPLETE`` set, and ``cli.main`` then hands the parser to ``answer`` instead of
running a command. argcomplete is optional (the ``cli`` extra) and imported only then,
or to print the script: a command run as usual, or ``--help``, never loads it.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Any, Optional, TextIO

from cohesity_sdk.helios.cli.failures import EXIT_OK, EXIT_USAGE, UsageError

NAMES = ("completion",)
SHELLS = ("bash", "zsh", "fish")
#: What to install for completion.
EXTRA = "pip install 'cohesity-helios[cli]'"
#: Set by the completion script when it asks the command for completions.
REQUEST_VARIABLE = "_ARGCOMPLETE"
#: The command the script completes: the console script, however this one was started.
SCRIPT = "cohesity-helios"

_DESCRIPTION = (
    "Print the shell's completion script for cohesity-helios: its commands, options and "
    "option values complete on TAB. It needs argcomplete: " + EXTRA + ".")

_EPILOG = """\
to turn it on, add to your shell's start-up file:
  bash (~/.bashrc):   eval "$(cohesity-helios completion bash)"
  zsh (~/.zshrc):     eval "$(cohesity-helios completion zsh)"   (after compinit)
  fish (~/.config/fish/config.fish):   cohesity-helios completion fish | source
"""


def add_commands(subcommands: Any) -> None:
    """Add ``completion`` to the command line's subcommands."""
    completion = subcommands.add_parser(
        "completion", help="print a shell completion script (bash, zsh or fish)",
        description=textwrap.fill(_DESCRIPTION, 88), epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    completion.add_argument("shell", choices=SHELLS, help="the shell: bash, zsh or fish")


def run(args: argparse.Namespace, out: Optional[TextIO] = None) -> int:
    """Print the completion script for ``args.shell``."""
    out = out if out is not None else sys.stdout
    try:
        import argcomplete
    except ImportError:
        raise UsageError(f"shell completion needs argcomplete: {EXTRA}") from None
    out.write(argcomplete.shellcode([SCRIPT], shell=args.shell))
    return EXIT_OK


def asked() -> bool:
    """Whether the shell's completion script started this process, to complete."""
    return REQUEST_VARIABLE in os.environ


def answer(parser: argparse.ArgumentParser) -> int:
    """Give the shell the completions of its command line, as argcomplete does, and end
    the process. Without argcomplete there are none to give: the status says so, and the
    partial command line is not run."""
    try:
        import argcomplete
    except ImportError:
        return EXIT_USAGE
    argcomplete.autocomplete(parser)  # answers and exits
    return EXIT_USAGE  # pragma: no cover - reached only if argcomplete did not exit
