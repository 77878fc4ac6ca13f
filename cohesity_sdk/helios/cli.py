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
import re
import sys
import textwrap
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, TextIO

from cohesity_sdk import __version__
from cohesity_sdk.helios.cli_options import Once, OnceBoolean, OnceParser
from cohesity_sdk.helios.cli_spec import Body, Command, Option

if TYPE_CHECKING:
    from cohesity_sdk.helios.api_response import ApiResponse
    from cohesity_sdk.helios.configuration import Configuration
    from cohesity_sdk.helios.private_file import PrivateFile

PROG = "cohesity-helios"
OUTPUTS = ("json", "table", "csv")
# Settings of the configuration: given once for the whole command, not per call.
ROUTING = ("access_cluster_id", "region_id")

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
INT64 = (-(2**63), 2**63 - 1)
# Where a body carries a user's password: asked for on a terminal when it is left out.
NEW_PASSWORD = "localUserParams.password"

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
        return run(COMMANDS[args.command], args, where=where)
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
                     f"{_body_shape(command.body)}")
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
    from cohesity_sdk.helios.access import command as access_command

    access_command.add_commands(subcommands, common)
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
    group.add_argument("--access-cluster-id", dest="access_cluster_id", type=_int64,
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
                            type=_int64 if option.kind == "integer" else str, action=Once,
                            metavar=option.name.upper(), help=help_text)


def _int64(text: str) -> int:
    """An integer option's value: what the API's int64 holds."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not INT64[0] <= value <= INT64[1]:
        raise argparse.ArgumentTypeError(f"{text} is out of the int64 range")
    return value


def flag(name: str) -> str:
    """The option of a parameter or setting: ``all_sessions`` -> ``--all-sessions``."""
    return "--" + name.replace("_", "-")


def _body_shape(body: Body) -> str:
    return (f"a JSON array of {body.model} objects (or one object)" if body.is_list
            else f"a JSON {body.model} object")


def _epilog(command: Command) -> Optional[str]:
    if command.body is None:
        return None
    return f"The body is {_body_shape(command.body)}, for example:\n  {command.body.example}"


# -- running a command ------------------------------------------------------------------


def run(command: Command, args: argparse.Namespace, out: Optional[TextIO] = None,
        where: str = PROG) -> int:
    """Call the operation as ``args`` give it and write its answer to ``out``.

    Everything the command line can get wrong is refused before anything is sent: the
    options (in their own words), the body, and an output that would lose a secret the
    API gives once.
    """
    out = out if out is not None else sys.stdout
    output = args.output or _default_output(command, out)
    check_options(command, args)
    secret_file = _secret_file(command, args, output)
    try:
        keywords = call_arguments(command, args, where)
        _log_to_stderr(args.verbose)
        from cohesity_sdk.helios.api.user_api import UserApi
        from cohesity_sdk.helios.api_client import ApiClient
        from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

        with _configuration(args) as configuration, ApiClient(configuration) as client:
            method = getattr(UserApi(client), f"{command.method}_with_http_info")
            try:
                response = method(**keywords)
            except (ApiTypeError, ApiValueError) as exc:  # refused before sending
                raise UsageError(in_cli_words(str(exc), command)) from None
        if secret_file is not None:
            secrets = _answer_secrets(command, response.raw_data)
            try:
                secret_file.commit("".join(f"{value}\n" for value in secrets.values()))
            except OSError as exc:
                write(response, "json", out)  # the one copy there is: never lost
                raise SecretNotSaved(
                    f"the call succeeded, but {secret_file.path} could not be written "
                    f"({exc.strerror}): the answer, secret included, is on stdout") from None
            print(f"{where}: wrote the new secret to {secret_file.path} (mode 0600)",
                  file=sys.stderr)
    finally:
        if secret_file is not None:
            secret_file.discard()
    write(response, output, out,
          hide=command.answer_secrets if secret_file is not None else ())
    return EXIT_OK


class SecretNotSaved(Exception):
    """The call succeeded, but the secret it gave could not be written where asked."""


def _default_output(command: Command, out: TextIO) -> str:
    if command.returns_secret:
        return "json"  # the only output that shows it, and the API shows it once
    return "table" if out.isatty() else "json"


# -- the options, in their own words ----------------------------------------------------


def check_options(command: Command, args: argparse.Namespace) -> None:
    """Refuse, naming the option, what the SDK would refuse in its own (Python) words:
    a call that acts on everything without its confirmation, and empty values."""
    for option in command.options:
        value = getattr(args, option.name, None)
        if option.location == "confirm":
            guarded = getattr(args, option.guards, None)
            if value and guarded is not None:
                raise UsageError(f"{flag(option.name)} contradicts {flag(option.guards)}; "
                                 f"give one of them")
            if not value and guarded is None:
                raise UsageError(
                    f"without {flag(option.guards)}, {args.command} acts on "
                    f"everything; give {flag(option.guards)} {option.guards.upper()}, or "
                    f"{flag(option.name)} if that is what you mean")
        elif option.kind == "array" and value is not None:
            if any(not item for given in value for item in given.split(",")):
                raise UsageError(f"{flag(option.name)} has an empty value; give "
                                 f"comma-separated values, none of them empty")
        elif isinstance(value, str) and not value and option.location == "path":
            raise UsageError(f"{flag(option.name)} must not be empty")


def in_cli_words(message: str, command: Command) -> str:
    """An SDK message about the call's arguments, with the options the user typed for
    the parameters it names: ``delete_session(): sid=...`` -> ``--sid ...``."""
    message = message.replace(f"{command.method}(): ", "")
    for option in sorted(command.options, key=lambda o: -len(o.name)):
        message = re.sub(rf"(?<![\w.\[-]){re.escape(option.name)}(?:=True\b|=\.\.\.)?(?![\w-])",
                         flag(option.name), message)
    return message


# Configuration's words for the settings the command line has options for.
_SETTING_OPTIONS = {"host": "--host", "access_cluster_id": "--access-cluster-id",
                    "region_id": "--region-id"}


def _settings_in_cli_words(message: str, args: argparse.Namespace) -> str:
    """A configuration error with the options given for what it names."""
    for setting, option in _SETTING_OPTIONS.items():
        if getattr(args, setting, None) is not None:
            message = message.replace(f"Configuration.{setting}", option)
    if args.profile is not None:
        message = message.replace("(profile=)", "(--profile)")
    return message


# -- one-time secrets -------------------------------------------------------------------


def _secret_file(command: Command, args: argparse.Namespace,
                 output: str) -> Optional[PrivateFile]:
    """Where the answer's one-time secret goes, decided before anything is sent: a file,
    JSON output, or a refusal (a table or CSV has no column for it)."""
    path = getattr(args, "secret_file", None)
    if not command.returns_secret:
        return None
    if path is None:
        if output != "json":
            raise UsageError(
                f"-o {output} cannot show the answer's secret "
                f"({', '.join(command.answer_secrets)}), which the API gives only once: add "
                f"--secret-file PATH to keep it in a file (mode 0600), or use -o json; "
                f"nothing was sent")
        return None
    if os.path.isdir(path):
        raise UsageError(f"--secret-file {path}: is a folder; nothing was sent")
    from cohesity_sdk.helios.private_file import PrivateFile

    try:
        return PrivateFile(path)
    except OSError as exc:
        raise UsageError(f"--secret-file {path}: cannot write there ({exc.strerror}); "
                         f"nothing was sent") from None


def _answer_secrets(command: Command, raw: bytes) -> Dict[str, str]:
    answer = json.loads(raw) if raw else {}
    found = {name: answer.get(name) for name in command.answer_secrets
             if isinstance(answer, dict) and answer.get(name) is not None}
    if not found:
        raise SecretNotSaved("the call succeeded, but its answer holds no secret to write")
    return {name: str(value) for name, value in found.items()}


# -- arguments and the body -------------------------------------------------------------


def call_arguments(command: Command, args: argparse.Namespace,
                   where: str = PROG) -> Dict[str, Any]:
    """The method's keyword arguments: the options given, and the body as models.

    A body given on the command line itself that holds a password is warned about; the
    passwords a command needs and the body leaves out are asked for on a terminal.
    """
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
    body = command.body
    if body is None:
        return keywords
    given = getattr(args, "body", None)
    value = read_body(given) if given is not None else None
    if given is not None and given != "-" and not given.startswith("@"):
        _warn_of_secrets(body, value, where)
    if getattr(args, "new_password", False):
        value = {} if value is None else value
        if not isinstance(value, dict):
            raise UsageError(f"--body must be {_body_shape(body)}")
        _put(value, NEW_PASSWORD, _ask(f"New password for {args.sid}: ", twice=True))
    elif value is None and body.required:
        raise UsageError("the following arguments are required: --body "
                         "(or --new-password, to change only the password)")
    if value is not None:
        _ask_for_missing(command, value)
        keywords["body"] = body_models(body, value)
    return keywords


def _items(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


def _get(item: Any, path: str) -> Any:
    for part in path.split("."):
        item = item.get(part) if isinstance(item, dict) else None
    return item


def _put(item: Dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    for part in parents:
        nested = item.get(part)
        if nested is None:
            nested = item[part] = {}
        if not isinstance(nested, dict):
            raise UsageError(f"body: {part} must be an object")
        item = nested
    item[name] = value


def _warn_of_secrets(body: Body, value: Any, where: str) -> None:
    """Warn when ``--body`` JSON typed on the command line holds a password or a code:
    every user of the machine can read a command line (ps), and shells keep it."""
    found = sorted({path for item in _items(value) for path in body.secrets
                    if _get(item, path) not in (None, "")})
    if found:
        print(f"{where}: warning: --body on the command line holds a password or code "
              f"({', '.join(found)}): other users can read it in the process list, and the "
              "shell's history keeps it; use --body @FILE or --body - (stdin) instead",
              file=sys.stderr)


def _ask_for_missing(command: Command, value: Any) -> None:
    """On a terminal, ask for the password a login or a new LOCAL user leaves out, as
    ``git`` and ``docker login`` do. Elsewhere the body goes as it is."""
    if not _on_a_terminal():
        return
    for item in _items(value):
        if not isinstance(item, dict):
            return
        user = f"{item.get('domain') or 'LOCAL'}\\{item.get('username') or '?'}"
        if command.login:
            if item.get("password") is None and item.get("privateKey") is None:
                item["password"] = _ask(f"Password for {user}: ")
            if item.get("otpType") is not None and item.get("otpCode") is None:
                item["otpCode"] = _ask(f"One-time code ({item['otpType']}) for {user}: ")
        elif (command.body is not None and command.body.is_list
              and NEW_PASSWORD in command.body.secrets
              and item.get("domain") == "LOCAL" and _get(item, NEW_PASSWORD) is None):
            _put(item, NEW_PASSWORD, _ask(f"Password for the new user {user}: ", twice=True))


def _on_a_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(prompt: str, twice: bool = False) -> str:
    """A secret typed on the terminal, not echoed; ``twice`` asks again to confirm it."""
    import getpass

    if not _on_a_terminal():
        raise UsageError("--new-password asks on a terminal, and there is none here: give "
                         "the password in --body @FILE or --body - (stdin) instead")
    answer = getpass.getpass(prompt)
    if not answer:
        raise UsageError("nothing was typed; nothing was sent")
    if twice and getpass.getpass("Type it again: ") != answer:
        raise UsageError("the two do not match; nothing was sent")
    return answer


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
            with _settings_checked(args):
                configuration = fake.configuration(**routing)
            yield configuration
        return
    from cohesity_sdk.helios.configuration import Configuration

    with _settings_checked(args):
        configuration = Configuration.from_env(profile=args.profile, host=args.host,
                                               trust_env=args.trust_env, **routing)
    if configuration.username is not None and configuration.password is None \
            and configuration.auth is None:
        if not _on_a_terminal():
            raise UsageError("a username is set (HELIOS_USERNAME or the profile) but no "
                             "password: set HELIOS_PASSWORD, put it in the profile, or run "
                             "on a terminal to be asked for it")
        configuration.password = _ask(
            f"Password for {configuration.domain}\\{configuration.username}: ")
    if (configuration.auth is None and configuration.username is None
            and configuration.auth_header_value() is None):
        raise UsageError("no credentials: set HELIOS_API_KEY (or HELIOS_USERNAME and "
                         "HELIOS_PASSWORD), use a profile, or try --fake")
    yield configuration


@contextlib.contextmanager
def _settings_checked(args: argparse.Namespace) -> Iterator[None]:
    """A setting refused while the configuration is made is a usage error, in the words
    of the options that gave it."""
    from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

    try:
        yield
    except (ApiTypeError, ApiValueError) as exc:
        raise UsageError(_settings_in_cli_words(str(exc), args)) from None


def _log_to_stderr(verbose: Optional[int]) -> None:
    if not verbose:
        return
    logger = logging.getLogger("cohesity_sdk.helios")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)


# -- output -----------------------------------------------------------------------------


def write(response: ApiResponse[Any], output: str, out: TextIO,
          hide: Sequence[str] = ()) -> None:
    """The answer as ``output`` asks: the API's own JSON (without the fields ``hide``
    names), or the flat rows of ``to_records()`` as a table or CSV (secrets left out).
    An empty list still has its header, and a table says that it is empty."""
    if output == "json":
        if response.raw_data:
            answer = json.loads(response.raw_data)
            if isinstance(answer, dict):
                answer = {key: value for key, value in answer.items() if key not in hide}
            out.write(json.dumps(answer, indent=2, ensure_ascii=False))
            out.write("\n")
        return
    from cohesity_sdk.helios import display
    from cohesity_sdk.helios.model_base import ListResult

    rows = display.records(response.data)
    listed = response.data if isinstance(response.data, ListResult) else None
    if output == "csv":
        import csv

        if rows:
            header = list(rows[0])
        elif listed is not None:
            header = display.record_columns(listed)
        else:
            return
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([display.cell_text(value) for value in row.values()] for row in rows)
    elif listed is not None:
        # The columns that identify an item; -o csv has them all.
        columns = display.preferred_columns(listed) or display.record_columns(listed)
        if rows:
            out.write(display.text_table(rows, columns=columns) + "\n")
        else:
            out.write(display.text_table([], columns=columns) + "\n")  # the header
            out.write(f"no {display.item_noun(listed)}\n")
    elif rows:  # one model: a field per line reads better than one wide row
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
    if isinstance(exc, (ApiException, ApiConnectionError, SecretNotSaved)):
        return str(exc), EXIT_REFUSED
    raise exc


def _fail(where: str, message: str, status: int) -> int:
    message = " ".join(message.split())  # one line, whatever the server sent
    print(f"{where}: error: {message}", file=sys.stderr)
    return status
