"""``cohesity-helios``: every operation of the API as a subcommand.

    cohesity-helios get-users --domain LOCAL -o csv
    cohesity-helios create-users --body @users.json
    cohesity-helios --fake get-users          # against a fresh local FakeHelios

The subcommands and their options come from the generated ``cli_commands``; each calls
the ``UserApi`` method of the same name, so a request is checked as in Python before
anything is sent. Exit status: 0 on success, 1 when the server said no or could not be
reached (one line on stderr), 2 for a usage error (nothing was sent).

Only ``argparse`` and the command table are imported to parse the command line: the
SDK's models and HTTP stack load when a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import textwrap
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, TextIO

from cohesity_sdk import __version__
from cohesity_sdk.helios.cli_spec import Body, Command, Option

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_response import ApiResponse
    from cohesity_sdk.helios.configuration import Configuration

PROG = "cohesity-helios"
OUTPUTS = ("json", "table", "csv")
# Settings of the configuration: given once for the whole command, not per call.
ROUTING = ("access_cluster_id", "region_id")

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

_DESCRIPTION = """\
Call the Cohesity Helios v2 user-management API: one subcommand per operation.

Where to connect comes from --host/--profile, then the HELIOS_* environment variables
(HELIOS_HOST, HELIOS_API_KEY or HELIOS_USERNAME/HELIOS_PASSWORD, ...), then the
profile file; see `Configuration.from_env`. --fake runs the command against a fresh
local FakeHelios instead, to try things out.
"""


class UsageError(Exception):
    """The command line asks for something that cannot be sent."""


def main(argv: Optional[Sequence[str]] = None, *, prog: str = PROG) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)  # exits with 2 on a usage error, 0 for --help
    from cohesity_sdk.helios.access import command as access_command
    from cohesity_sdk.helios.cli_commands import COMMANDS

    where = f"{prog} {args.command}"
    try:
        if args.command in access_command.NAMES:  # plan, apply, export: access as code
            return access_command.run(args, prog, _configuration, _log_to_stderr)
        return run(COMMANDS[args.command], args)
    except UsageError as exc:
        return _fail(where, str(exc), EXIT_USAGE)
    except BrokenPipeError:  # the reader left (| head): not an error of the command
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that exiting flushes nowhere
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the SDK's errors, sorted below
        return _fail(where, *_exit_for(exc))
    except KeyboardInterrupt:
        return 130


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The parser of the whole command line, one subparser per operation."""
    from cohesity_sdk.helios.cli_commands import COMMANDS

    parser = argparse.ArgumentParser(
        prog=prog, description=_DESCRIPTION, parents=[_common_options(top=True)],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
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
            sub.add_argument(
                "--body", required=command.body.required, metavar="JSON|@FILE|-",
                help=f"the request body: JSON text, @ and a file name, or - for stdin; "
                     f"{_body_shape(command.body)}")
    from cohesity_sdk.helios.access import command as access_command

    access_command.add_commands(subcommands, common)
    return parser


def _common_options(top: bool) -> argparse.ArgumentParser:
    default = None if top else argparse.SUPPRESS
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("connection and output")
    group.add_argument("--host", default=default, metavar="URL",
                       help="the API's base URL, such as https://helios.cohesity.com/v2")
    group.add_argument("--profile", default=default, metavar="NAME",
                       help="a profile of the configuration file (default: HELIOS_PROFILE, "
                            "else 'default')")
    group.add_argument("--access-cluster-id", dest="access_cluster_id", type=int,
                       default=default, metavar="ID",
                       help="the cluster to act on, through Helios")
    group.add_argument("--region-id", dest="region_id", default=default, metavar="ID",
                       help="the Helios region to act in")
    group.add_argument("-o", "--output", choices=OUTPUTS, default=default,
                       help="json (the API's answer), table (the default on a terminal) "
                            "or csv")
    group.add_argument("--fake", action="store_true", default=False if top else default,
                       help="run against a fresh local FakeHelios, to try things out")
    group.add_argument("-v", "--verbose", action="count", default=0 if top else default,
                       help="log retries (-v) and each request (-vv) to stderr")
    return options


def _add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    flag = "--" + option.name.replace("_", "-")
    help_text = option.help.replace("%", "%%") or None
    if option.location == "confirm":
        parser.add_argument(flag, dest=option.name, action="store_true", help=help_text)
    elif option.kind == "boolean":
        parser.add_argument(flag, dest=option.name, action=argparse.BooleanOptionalAction,
                            default=None, help=help_text)
    elif option.kind == "array":
        parser.add_argument(flag, dest=option.name, action="append", metavar="A,B",
                            required=option.required,
                            help=f"{help_text} Comma-separated, or repeat the option.")
    else:
        parser.add_argument(flag, dest=option.name, required=option.required,
                            type=int if option.kind == "integer" else str,
                            metavar=option.name.upper(), help=help_text)


def _body_shape(body: Body) -> str:
    return (f"a JSON array of {body.model} objects (or one object)" if body.is_list
            else f"a JSON {body.model} object")


def _epilog(command: Command) -> Optional[str]:
    if command.body is None:
        return None
    return f"The body is {_body_shape(command.body)}, for example:\n  {command.body.example}"


# -- running a command ------------------------------------------------------------------


def run(command: Command, args: argparse.Namespace, out: Optional[TextIO] = None) -> int:
    """Call the operation as ``args`` give it and write its answer to ``out``."""
    out = out if out is not None else sys.stdout
    output = args.output or _default_output(command, out)
    keywords = call_arguments(command, args)
    _log_to_stderr(args.verbose)
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.api_client import ApiClient

    with _configuration(args) as configuration, ApiClient(configuration) as client:
        method = getattr(UserApi(client), f"{command.method}_with_http_info")
        response = method(**keywords)
    if command.returns_secret and output != "json":
        print(f"note: the answer's secret is left out of {output} output and cannot be "
              "read again later; use -o json to see it", file=sys.stderr)
    write(response, output, out)
    return EXIT_OK


def _default_output(command: Command, out: TextIO) -> str:
    if command.returns_secret:
        return "json"  # the only output that shows it, and the API shows it once
    return "table" if out.isatty() else "json"


def call_arguments(command: Command, args: argparse.Namespace) -> Dict[str, Any]:
    """The method's keyword arguments: the options given, and the body as models."""
    keywords: Dict[str, Any] = {}
    for option in command.options:
        value = getattr(args, option.name, None)
        if option.name in ROUTING or value is None:
            continue
        if option.location == "confirm":
            if value:
                keywords[option.name] = True
        elif option.kind == "array":
            keywords[option.name] = [item for given in value for item in given.split(",")]
        else:
            keywords[option.name] = value
    if command.body is not None and args.body is not None:
        keywords["body"] = body_models(command.body, read_body(args.body))
    return keywords


def read_body(given: str) -> Any:
    """The JSON of ``--body``: the text itself, ``@file``, or ``-`` for stdin."""
    if given == "-":
        text, source = sys.stdin.read(), "stdin"
    elif given.startswith("@"):
        try:
            with open(given[1:], encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--body {given}: cannot read it: {exc}") from None
        source = given[1:]
    else:
        text, source = given, "--body"
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # The position, never the text: it may hold a password.
        raise UsageError(f"{source} is not JSON: {exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno}") from None


def body_models(body: Body, value: Any) -> Any:
    """``value`` (parsed JSON) as the body's model(s), refused as a model would be."""
    from cohesity_sdk.helios import models
    from cohesity_sdk.helios.model_base import build_model

    cls = getattr(models, body.model)
    if not body.is_list:
        if not isinstance(value, dict):
            raise UsageError(f"--body must be {_body_shape(body)}")
        return build_model(cls, value, "body")
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UsageError(f"--body must be {_body_shape(body)}")
    return [build_model(cls, item, f"body[{i}]") for i, item in enumerate(items)]


@contextlib.contextmanager
def _configuration(args: argparse.Namespace) -> Iterator[Configuration]:
    routing = {name: getattr(args, name) for name in ROUTING
               if getattr(args, name, None) is not None}
    if args.fake:
        if args.host is not None or args.profile is not None:
            raise UsageError("--fake runs against a fresh local FakeHelios: "
                             "leave out --host and --profile")
        from cohesity_sdk.helios.testing import FakeHelios

        with FakeHelios() as fake:
            configuration = fake.configuration(**routing)
            yield configuration
        return
    from cohesity_sdk.helios.configuration import Configuration

    configuration = Configuration.from_env(profile=args.profile, host=args.host, **routing)
    if (configuration.auth is None and configuration.username is None
            and configuration.auth_header_value() is None):
        raise UsageError("no credentials: set HELIOS_API_KEY (or HELIOS_USERNAME and "
                         "HELIOS_PASSWORD), use a profile, or try --fake")
    yield configuration


def _log_to_stderr(verbose: Optional[int]) -> None:
    if not verbose:
        return
    logger = logging.getLogger("cohesity_sdk.helios")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)


# -- output -----------------------------------------------------------------------------


def write(response: ApiResponse[Any], output: str, out: TextIO) -> None:
    """The answer as ``output`` asks: the API's own JSON, or the flat rows of
    ``to_records()`` as a table or CSV (secrets left out)."""
    if output == "json":
        if response.raw_data:
            out.write(json.dumps(json.loads(response.raw_data), indent=2, ensure_ascii=False))
            out.write("\n")
        return
    from cohesity_sdk.helios import display
    from cohesity_sdk.helios.model_base import ListResult

    rows = display.records(response.data)
    if not rows:
        return
    if output == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(list(rows[0]))
        writer.writerows([display.cell_text(value) for value in row.values()] for row in rows)
    elif isinstance(response.data, ListResult):
        # The columns that identify an item; -o csv has them all.
        columns = display.preferred_columns(response.data) or None
        out.write(display.text_table(rows, columns=columns) + "\n")
    else:  # one model: a field per line reads better than one wide row
        out.write(display.text_table(_by_field(rows[0])) + "\n")


def _by_field(row: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [{"field": name, "value": value} for name, value in row.items() if value is not None]


# -- failures ---------------------------------------------------------------------------


def _exit_for(exc: Exception) -> tuple[str, int]:
    """The one-line message and exit status of an exception raised by a command."""
    from cohesity_sdk.helios.exceptions import (
        ApiConnectionError,
        ApiException,
        ApiTypeError,
        ApiValueError,
    )

    if isinstance(exc, (ApiTypeError, ApiValueError)):
        return str(exc), EXIT_USAGE  # refused before anything was sent
    if isinstance(exc, (ApiException, ApiConnectionError)):
        return str(exc), EXIT_REFUSED
    raise exc


def _fail(where: str, message: str, status: int) -> int:
    message = " ".join(message.split())  # one line, whatever the server sent
    print(f"{where}: error: {message}", file=sys.stderr)
    return status
