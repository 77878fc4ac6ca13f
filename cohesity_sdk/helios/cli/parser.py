"""The parser of the whole command line: one subcommand per operation (from the
generated table, ``commands``), the access commands, and the options every command
takes. Building it imports only ``argparse`` and the table."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any, Optional

from cohesity_sdk import __version__
from cohesity_sdk.helios.cli.connection import ROUTING
from cohesity_sdk.helios.cli.failures import EXIT_OK, EXIT_REFUSED
from cohesity_sdk.helios.cli.inputs import NEW_PASSWORD, body_shape
from cohesity_sdk.helios.cli.options import Once, OnceBoolean, OnceParser, flag, int64
from cohesity_sdk.helios.cli.output import OUTPUTS
from cohesity_sdk.helios.cli.spec import Command, Option

PROG = "cohesity-helios"

_DESCRIPTION = """\
Call the Cohesity Helios v2 user-management API: one subcommand per operation.

Where to connect comes from --host/--profile, then the HELIOS_* environment variables
(HELIOS_HOST, HELIOS_API_KEY or HELIOS_USERNAME/HELIOS_PASSWORD, ...), then the
profile file; see `Configuration.from_env`. --fake runs the command against a fresh
local FakeHelios instead, to try things out.
"""


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The parser of the whole command line, one subparser per operation."""
    from cohesity_sdk.helios.cli.commands import COMMANDS

    parser = OnceParser(
        prog=prog, description=_DESCRIPTION, parents=[_common_options(top=True)],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version, check the install, and exit (1 when "
                             "another distribution also installs cohesity_sdk)")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                        parser_class=argparse.ArgumentParser,
                                        title="commands")
    # Also after the subcommand; SUPPRESS keeps them from undoing a value given before it.
    common = _common_options(top=False)
    for name, command in COMMANDS.items():
        sub = subcommands.add_parser(
            name, help=command.summary, description=textwrap.fill(command.description, 88),
            epilog=_epilog(command), parents=[common],
            formatter_class=argparse.RawDescriptionHelpFormatter)
        for option in command.options:
            if option.name not in ROUTING:
                _add_option(sub, option)
        if command.body is not None:
            # A new password may come from the prompt alone: then there is no other body.
            sub.add_argument(
                "--body", required=command.body.required and not _sets_a_password(command),
                metavar="JSON|@FILE|-", action=Once,
                help=f"the request body: JSON text, @ and a file name, or - for stdin; "
                     f"{body_shape(command.body)}")
        if _sets_a_password(command):
            sub.add_argument(
                "--new-password", action="store_true",
                help="ask for the new password on the terminal, twice, and send it as "
                     f"{NEW_PASSWORD}; it stays out of the command line and the history")
        if command.returns_secret:
            sub.add_argument(
                "--secret-file", metavar="PATH", action=Once,
                help="write the secret of the answer, which the API gives only once, to "
                     "PATH (mode 0600, replacing it whole) instead of printing it; needed "
                     "by -o table and -o csv, which cannot show it")
    from cohesity_sdk.helios.cli import access as access_command
    from cohesity_sdk.helios.cli.completion import add_commands as add_completion
    from cohesity_sdk.helios.cli.config import add_commands as add_config

    access_command.add_commands(subcommands, common)
    add_config(subcommands, common)
    add_completion(subcommands)
    return parser


def _sets_a_password(command: Command) -> bool:
    """Whether the command changes one user's password: it offers --new-password."""
    return (command.body is not None and not command.body.is_list and not command.login
            and NEW_PASSWORD in command.body.secrets)


class _Version(argparse.Action):
    """``--version``: the version, and what is wrong with the install, if anything."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: Optional[str] = None) -> None:
        print(f"{PROG} {__version__}")  # the distribution's name, however it was run
        from cohesity_sdk.helios.installation import mixed_install_problem

        problem = mixed_install_problem(__version__)
        if problem is None:
            parser.exit(EXIT_OK)
        print(f"{parser.prog}: warning: {problem}", file=sys.stderr)
        parser.exit(EXIT_REFUSED)


def _common_options(top: bool) -> argparse.ArgumentParser:
    default = None if top else argparse.SUPPRESS
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("connection and output")
    group.add_argument("--host", default=default, metavar="URL", action=Once,
                       help="the API's base URL, such as https://helios.cohesity.com/v2")
    group.add_argument("--profile", default=default, metavar="NAME", action=Once,
                       help="a profile of the configuration file (default: HELIOS_PROFILE, "
                            "else 'default')")
    group.add_argument("--access-cluster-id", dest="access_cluster_id", type=int64,
                       default=default, metavar="ID", action=Once,
                       help="the cluster to act on, through Helios")
    group.add_argument("--region-id", dest="region_id", default=default, metavar="ID",
                       action=Once,
                       help="the Helios region to act in")
    group.add_argument("-o", "--output", choices=OUTPUTS, default=default, action=Once,
                       help="json (the API's answer), table (the default on a terminal) "
                            "or csv")
    group.add_argument("--trust-env", dest="trust_env", action=OnceBoolean,
                       default=default,
                       help="take the proxy from HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and "
                            "NO_PROXY (the default; HELIOS_TRUST_ENV=false turns it off)")
    group.add_argument("--fake", action="store_true", default=False if top else default,
                       help="run against a fresh local FakeHelios, to try things out")
    group.add_argument("-v", "--verbose", action="count", default=0 if top else default,
                       help="log retries (-v) and each request (-vv) to stderr")
    return options


def _add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    dashed = flag(option.name)
    help_text = option.help.replace("%", "%%") or None
    if option.location == "confirm":
        parser.add_argument(dashed, dest=option.name, action="store_true", help=help_text)
    elif option.kind == "boolean":
        parser.add_argument(dashed, dest=option.name, action=OnceBoolean,
                            default=None, help=help_text)
    elif option.kind == "array":
        parser.add_argument(dashed, dest=option.name, action="append", metavar="A,B",
                            required=option.required,
                            help=f"{help_text} Comma-separated, or repeat the option.")
    else:
        parser.add_argument(dashed, dest=option.name, required=option.required,
                            type=int64 if option.kind == "integer" else str, action=Once,
                            metavar=option.name.upper(), help=help_text)


def _epilog(command: Command) -> Optional[str]:
    if command.body is None:
        return None
    return f"The body is {body_shape(command.body)}, for example:\n  {command.body.example}"
