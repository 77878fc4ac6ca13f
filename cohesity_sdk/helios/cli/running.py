"""Running one operation's command: its options and body turned into the method's
arguments (refused, in the options' own words, before anything is sent), the call, the
secret it may answer with, and the output."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Dict, Optional, TextIO

from cohesity_sdk.helios.cli.connection import ROUTING, configuration_for, log_to_stderr
from cohesity_sdk.helios.cli.failures import EXIT_OK, SecretNotSaved, UsageError
from cohesity_sdk.helios.cli.inputs import (
    NEW_PASSWORD,
    ask,
    ask_for_missing,
    body_models,
    body_shape,
    put_path,
    read_body,
    warn_of_secrets,
)
from cohesity_sdk.helios.cli.options import flag
from cohesity_sdk.helios.cli.output import write
from cohesity_sdk.helios.cli.secret_files import answer_secrets, secret_file_for
from cohesity_sdk.helios.cli.spec import Command

PROG = "cohesity-helios"


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
    secret_file = secret_file_for(command, args, output)
    try:
        keywords = call_arguments(command, args, where)
        log_to_stderr(args.verbose)
        from cohesity_sdk.helios.api.user_api import UserApi
        from cohesity_sdk.helios.api_client import ApiClient
        from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

        with configuration_for(args) as configuration, ApiClient(configuration) as client:
            method = getattr(UserApi(client), f"{command.method}_with_http_info")
            try:
                response = method(**keywords)
            except (ApiTypeError, ApiValueError) as exc:  # refused before sending
                raise UsageError(in_cli_words(str(exc), command)) from None
            names = member_names(UserApi(client), response.data, where) \
                if output == "table" else None
        if secret_file is not None:
            secrets = answer_secrets(command, response.raw_data)
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
          hide=command.answer_secrets if secret_file is not None else (), names=names)
    return EXIT_OK


def member_names(api: Any, data: Any, where: str = PROG) -> Dict[str, str]:
    """The usernames of the members of the groups in ``data``, by SID, for a table: one
    ``get_users`` call filtered by their SIDs, on the connection of the command (the same
    cluster and region). A SID that is no user is left out (the table shows it as it
    is); a lookup that fails leaves them all out, and says so on stderr."""
    from cohesity_sdk.helios.cli.output import member_sids
    from cohesity_sdk.helios.exceptions import OpenApiException

    sids = member_sids(data)
    if not sids:
        return {}
    try:
        found = api.get_users(sids=sids, include_tenants=True)
    except OpenApiException as exc:
        print(f"{where}: warning: the members are shown by SID, as their usernames could "
              f"not be read: {exc}", file=sys.stderr)
        return {}
    return {user.sid: user.username for user in found if user.sid and user.username}


def _default_output(command: Command, out: TextIO) -> str:
    if command.returns_secret:
        return "json"  # the only output that shows it, and the API shows it once
    return "table" if out.isatty() else "json"




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
        warn_of_secrets(body, value, where)
    if getattr(args, "new_password", False):
        value = {} if value is None else value
        if not isinstance(value, dict):
            raise UsageError(f"--body must be {body_shape(body)}")
        put_path(value, NEW_PASSWORD, ask(f"New password for {args.sid}: ", twice=True))
    elif value is None and body.required:
        raise UsageError("the following arguments are required: --body "
                         "(or --new-password, to change only the password)")
    if value is not None:
        ask_for_missing(command, value)
        keywords["body"] = body_models(body, value)
    return keywords
