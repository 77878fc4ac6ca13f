"""The parser of the whole command line: one subcommand per operation (from the
generated table, ``commands``), the access commands, and the options every command
takes. Building it imports only ``argparse`` and the table."""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from typing import Any, Dict, List, NoReturn, Optional, Sequence, Tuple

from cohesity_sdk import __version__
from cohesity_sdk.helios.cli.connection import ROUTING
from cohesity_sdk.helios.cli.failures import EXIT_OK, EXIT_REFUSED
from cohesity_sdk.helios.cli.inputs import (
    NEW_PASSWORD,
    body_shape,
    example_line,
    takes_a_password,
)
from cohesity_sdk.helios.cli.options import (
    Once,
    OnceBoolean,
    OnceParser,
    duration,
    flag,
    int64,
)
from cohesity_sdk.helios.cli.output import OUTPUTS
from cohesity_sdk.helios.cli.spec import Command, Option

PROG = "cohesity-helios"

#: Every output some command writes, for ``-o`` given before the command; each command
#: takes its own (``plan`` writes json or table, ``export`` yaml or json).
ALL_OUTPUTS = ("json", "table", "csv", "text", "yaml")

#: The options that name what a command would otherwise take by SID or id: what
#: ``Option.names`` says a parameter identifies, and the options that name it.
NAME_OPTIONS: Dict[str, Tuple[str, ...]] = {
    "user": ("--username",), "users": ("--username",), "group": ("--group",),
    "groups": ("--group",), "principal": ("--username", "--group"), "key": ("--key-name",),
}

_DESCRIPTION = """\
Call the Cohesity Helios v2 user-management API: one subcommand per operation.

Where to connect comes from --host/--profile, then the HELIOS_* environment variables
(HELIOS_HOST, HELIOS_API_KEY or HELIOS_API_KEY_FILE, or HELIOS_USERNAME and
HELIOS_PASSWORD, ...), then the profile file; see `Configuration.from_env`. --fake runs
the command against a fresh local FakeHelios instead, to try things out.
"""


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: a mistyped choice or option gets "did you mean"."""

    def error(self, message: str) -> NoReturn:
        super().error(_with_suggestion(self, message))


class TopParser(OnceParser):
    """The command line's parser: options given once, outputs each command takes, and
    "did you mean" for a mistyped command or option."""

    def parse_known_args(  # type: ignore[override]
        self, args: Optional[Sequence[str]] = None,
        namespace: Optional[argparse.Namespace] = None,
    ) -> Tuple[argparse.Namespace, List[str]]:
        parsed, rest = super().parse_known_args(args, namespace)
        outputs: Optional[Sequence[str]] = getattr(parsed, "outputs", None)
        output = getattr(parsed, "output", None)
        if outputs is not None and output is not None and output not in outputs:
            self.error(f"argument -o/--output: {parsed.command} writes "
                       f"{_or(list(outputs))}, not {output}")
        if rest:
            parser = self._subparser(getattr(parsed, "command", None))
            unknown = [arg for arg in rest if arg.startswith("-")]
            if parser is not None and unknown:
                options = [s for action in parser._actions for s in action.option_strings]
                from cohesity_sdk.helios.exceptions import did_you_mean

                word = unknown[0].split("=", 1)[0]
                parser.error(f"unrecognized arguments: {' '.join(rest)}"
                             f"{did_you_mean(word, options)}")
        return parsed, rest

    def _subparser(self, command: Optional[str]) -> Optional[argparse.ArgumentParser]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and command:
                found: Optional[argparse.ArgumentParser] = action.choices.get(command)
                return found
        return None

    def error(self, message: str) -> NoReturn:
        super().error(_with_suggestion(self, message))


def _with_suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    """``message`` with "did you mean" for an invalid choice (a command, an output)."""
    found = re.match(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)\Z",
                     message)
    if found is None:
        return message
    from cohesity_sdk.helios.exceptions import did_you_mean

    what, given, listed = found.groups()
    choices = re.findall(r"'?([\w-]+)'?", listed)
    if what == "COMMAND":
        return (f"argument COMMAND: invalid choice: '{given}'{did_you_mean(given, choices)}; "
                f"`{parser.prog} --help` lists the commands")
    return f"argument {what}: invalid choice: '{given}'{did_you_mean(given, choices)} " \
           f"(choose from {', '.join(choices)})"


def _or(items: List[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The parser of the whole command line, one subparser per operation."""
    from cohesity_sdk.helios.cli import access as access_command
    from cohesity_sdk.helios.cli.commands import COMMANDS

    parser = TopParser(
        prog=prog, description=_DESCRIPTION, parents=[_common_options(top=True)],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", choices=ALL_OUTPUTS, default=None, action=Once,
                        help="the output; each command says which it writes (json, table "
                             "on a terminal; export: yaml)")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the version, check the install, and exit (1 when "
                             "another distribution also installs cohesity_sdk)")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                        parser_class=CommandParser, title="commands")
    # Also after the subcommand; SUPPRESS keeps them from undoing a value given before it.
    common = _common_options(top=False)
    for name, command in COMMANDS.items():
        sub = subcommands.add_parser(
            name, help=command.summary, description=textwrap.fill(command.description, 88),
            epilog=_epilog(command), parents=[common],
            formatter_class=argparse.RawDescriptionHelpFormatter)
        add_output(sub, OUTPUTS, "json (the API's answer), table (the default on a "
                                 "terminal), csv or text (tab-separated, for the shell)")
        _add_options(sub, command)
    from cohesity_sdk.helios.cli.completion import add_commands as add_completion
    from cohesity_sdk.helios.cli.config import add_commands as add_config

    access_command.add_commands(subcommands, common, add_output)
    add_config(subcommands, common, add_output)
    add_completion(subcommands)
    return parser


def add_output(parser: argparse.ArgumentParser, outputs: Sequence[str], help: str) -> None:
    """``-o`` of one command, taking the outputs it writes."""
    parser.add_argument("-o", "--output", choices=outputs, default=argparse.SUPPRESS,
                        action=Once, help=help)
    parser.set_defaults(outputs=tuple(outputs))


def _add_options(sub: argparse.ArgumentParser, command: Command) -> None:
    named = {option.names for option in command.options if option.names}
    named |= {names for _, names in (command.body.names if command.body else ())}
    for option in command.options:
        if option.name not in ROUTING:
            _add_option(sub, option, replaceable=bool(option.names))
    if command.body is not None:
        # A new password may come from the prompt or stdin alone: then there is no other
        # body; and the SIDs of a body may be given by name.
        sub.add_argument(
            "--body", required=(command.body.required and not _sets_a_password(command)
                                and not command.body.names),
            metavar="JSON|@FILE|-", action=Once,
            help=f"the request body: JSON text, @ and a file name, or - for stdin; "
                 f"{body_shape(command.body)}")
    _add_name_options(sub, command, named)
    if _sets_a_password(command):
        sub.add_argument(
            "--new-password", action="store_true",
            help="ask for the new password on the terminal, twice, and send it as "
                 f"{NEW_PASSWORD}; it stays out of the command line and the history")
    if takes_a_password(command):
        sub.add_argument(
            "--password-stdin", action="store_true",
            help="read the password from the first line of stdin, as `docker login` does: "
                 + ("the login's" if command.login else
                    "the new one" if _sets_a_password(command) else
                    "that of each new LOCAL user the body gives none"))
    if command.method.startswith("delete"):
        sub.add_argument("-y", "--yes", action="store_true",
                         help="delete without asking; on a terminal the command names "
                              "what it will delete and asks first")
    if command.body is not None and command.body.model == "CreateOrUpdateAPIKeyRequest":
        sub.add_argument("--expires-in", type=duration, metavar="DURATION", action=Once,
                         help="when the key expires, from now: 90d, 12h, 2w (sets "
                              "expiryTimeMsecs)")
    if command.returns_secret:
        sub.add_argument(
            "--secret-file", metavar="PATH", action=Once,
            help="write the secret of the answer, which the API gives only once, to "
                 "PATH (mode 0600, replacing it whole) instead of printing it; needed "
                 "by -o table and -o csv, which cannot show it")


def _add_name_options(sub: argparse.ArgumentParser, command: Command,
                      named: "set[str]") -> None:
    """``--username``, ``--group``, ``--key-name`` (and ``--domain`` for the first two)
    beside the options that take SIDs and key ids."""
    if not named:
        return
    several = named & {"users", "groups"}
    if named & {"user", "principal", "users"}:
        many = "users" in several
        sub.add_argument(
            "--username", dest="named_users" if many else "named_user", metavar="NAME",
            action="append" if many else Once,
            help="the user, by its username (matched exactly), instead of its SID"
                 + ("; repeat it for several" if many else ""))
    if named & {"group", "principal", "groups"}:
        many = "groups" in several
        sub.add_argument(
            "--group", dest="named_groups" if many else "named_group", metavar="NAME",
            action="append" if many else Once,
            help="the group, by its name (matched exactly), instead of its SID"
                 + ("; repeat it for several" if many else ""))
    if "key" in named:
        sub.add_argument("--key-name", dest="named_key", metavar="NAME", action=Once,
                         help="the API key, by its name among its user's keys, instead of "
                              "its id")
    if named - {"key"} and not any(o.name == "domain" for o in command.options):
        sub.add_argument("--domain", dest="named_domain", metavar="DOMAIN", action=Once,
                         help="the domain of the names given (LOCAL, or an AD or IdP "
                              "domain); left out, any domain, as long as one matches")


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


def _common_options(top: bool) -> CommandParser:
    default = None if top else argparse.SUPPRESS
    options = CommandParser(add_help=False)
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
                       action=Once, help="the Helios region to act in")
    group.add_argument("--query", default=default, metavar="EXPR", action=Once,
                       help="a JMESPath expression applied to the JSON result before it "
                            "is written, as aws-cli's --query: users[].username")
    group.add_argument("--trust-env", dest="trust_env", action=OnceBoolean,
                       default=default,
                       help="take the proxy from HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and "
                            "NO_PROXY (the default; HELIOS_TRUST_ENV=false turns it off)")
    group.add_argument("--fake", action="store_true", default=False if top else default,
                       help="run against a fresh local FakeHelios, to try things out")
    group.add_argument("-v", "--verbose", action="count", default=0 if top else default,
                       help="log retries (-v) and each request (-vv) to stderr")
    return options


def _add_option(parser: argparse.ArgumentParser, option: Option, replaceable: bool) -> None:
    dashed = flag(option.name)
    help_text = option.help.replace("%", "%%") or None
    # An option a name may stand in for is checked when the command runs: one of the two.
    required = option.required and not replaceable
    if option.location == "confirm":
        parser.add_argument(dashed, dest=option.name, action="store_true", help=help_text)
    elif option.kind == "boolean":
        parser.add_argument(dashed, dest=option.name, action=OnceBoolean,
                            default=None, help=help_text)
    elif option.kind == "array":
        parser.add_argument(dashed, dest=option.name, action="append", metavar="A,B",
                            required=required,
                            help=f"{help_text} Comma-separated, or repeat the option.")
    else:
        parser.add_argument(dashed, dest=option.name, required=required,
                            type=int64 if option.kind == "integer" else str, action=Once,
                            metavar=option.name.upper(), help=help_text)


def _epilog(command: Command) -> Optional[str]:
    if command.body is None or not command.body.example:
        return None
    return f"The body is {body_shape(command.body)}, for example:\n  {example_line(command)}"
