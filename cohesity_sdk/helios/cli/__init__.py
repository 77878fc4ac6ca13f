# PYTHON_ARGCOMPLETE_OK: argcomplete's global completion completes its console script.
"""``cohesity-helios``: every operation of the API as a subcommand.

    cohesity-helios get-users --domain LOCAL -o csv
    cohesity-helios create-users --body @users.json
    cohesity-helios --fake get-users          # against a fresh local FakeHelios

The subcommands and their options come from the generated table (``commands``); each
calls the ``UserApi`` method of the same name, so a request is checked as in Python
before anything is sent. Exit status: 0 on success, 1 when the server said no or could
not be reached (one line on stderr), 2 for a usage error (nothing was sent).

The package's modules, one concept each: ``parser`` (the command line), ``running``
(one operation's command), ``names`` (names instead of SIDs), ``deleting`` (deletes
that say what they delete), ``inputs`` (bodies, prompts and ``--password-stdin``),
``secret_files``, ``connection`` (the configuration from flags), ``output`` (formats and
``--query``), ``failures`` (exit statuses and one-line errors), ``options`` (option
types), ``access`` (``plan``, ``apply`` and ``export``), ``config`` (``config
show``), ``completion`` (the shell's completion script, and its answers), and the
generated ``commands`` with their ``spec``.

Only ``argparse`` and the command table are imported to parse the command line: the
SDK's models and HTTP stack load when a command runs.
"""

from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from cohesity_sdk.helios.cli.failures import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    Cancelled,
    UsageError,
    exit_for,
    fail,
)
from cohesity_sdk.helios.cli.parser import PROG, build_parser

__all__ = ["EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "PROG", "build_parser", "main"]


def main(argv: Optional[Sequence[str]] = None, *, prog: str = PROG) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser(prog)
    from cohesity_sdk.helios.cli import completion

    if completion.asked():  # the shell's completion script asks, with a partial line
        return completion.answer(parser)
    args = parser.parse_args(argv)  # exits with 2 on a usage error, 0 for --help
    from cohesity_sdk.helios.cli import access as access_command, config as config_command
    from cohesity_sdk.helios.cli.commands import COMMANDS
    from cohesity_sdk.helios.cli.connection import configuration_for, log_to_stderr
    from cohesity_sdk.helios.cli.running import run

    where = f"{prog} {args.command}"
    try:
        if args.command in access_command.NAMES:  # plan, apply, export: access as code
            return access_command.run(args, prog, configuration_for, log_to_stderr)
        if args.command in config_command.NAMES:  # config show
            where = f"{where} {args.config_command}"
            return config_command.run(args)
        if args.command in completion.NAMES:  # completion bash|zsh|fish
            return completion.run(args)
        return run(COMMANDS[args.command], args, where=where)
    except UsageError as exc:
        return fail(where, str(exc), EXIT_USAGE)
    except Cancelled as exc:  # no, Ctrl-D or Ctrl-C at a prompt: one line, no traceback
        print(f"{where}: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:  # the reader left (| head): not an error of the command
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that exiting flushes nowhere
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the SDK's errors, sorted below
        return fail(where, *exit_for(exc))
    except KeyboardInterrupt:
        print(f"\n{where}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
