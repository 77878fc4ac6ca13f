"""Running one operation's command: its options, names and body turned into the
method's arguments (refused, in the options' own words, before anything is sent), a
delete confirmed, the call, the secret it may answer with, and the output."""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional, TextIO

from cohesity_sdk.helios.cli.connection import ROUTING, configuration_for, log_to_stderr
from cohesity_sdk.helios.cli.deleting import Deletion, confirm_and_report
from cohesity_sdk.helios.cli.failures import EXIT_OK, SecretNotSaved, UsageError
from cohesity_sdk.helios.cli.inputs import (
    NEW_PASSWORD,
    ask,
    body_models,
    body_shape,
    fill_passwords,
    password_from_stdin,
    put_path,
    read_body,
    takes_a_password,
    warn_of_secrets,
)
from cohesity_sdk.helios.cli.names import Found, find_group, find_key, find_user
from cohesity_sdk.helios.cli.options import flag
from cohesity_sdk.helios.cli.output import compile_query, write
from cohesity_sdk.helios.cli.secret_files import answer_secrets, secret_file_for
from cohesity_sdk.helios.cli.spec import Command, Option

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi

PROG = "cohesity-helios"

#: The options that name what an option identifies, as ``parser`` adds them.
_NAME_ARGUMENTS = {"user": ("named_user",), "users": ("named_users",),
                   "group": ("named_group",), "groups": ("named_groups",),
                   "principal": ("named_user", "named_group"), "key": ("named_key",)}
_NAME_FLAGS = {"named_user": "--username", "named_users": "--username",
               "named_group": "--group", "named_groups": "--group",
               "named_key": "--key-name"}


class Arguments(NamedTuple):
    """The method's keyword arguments, with the body as JSON until names are filled in."""

    keywords: Dict[str, Any]
    body: Any  # the body's JSON, or None


def run(command: Command, args: argparse.Namespace, out: Optional[TextIO] = None,
        where: str = PROG) -> int:
    """Call the operation as ``args`` give it and write its answer to ``out``.

    Everything the command line can get wrong is refused before anything is sent: the
    options (in their own words), the body, the query, and an output that would lose a
    secret the API gives once. A name is looked up before the call; a delete says what
    it deletes, and on a terminal asks first.
    """
    out = out if out is not None else sys.stdout
    query = compile_query(args.query) if getattr(args, "query", None) else None
    output = args.output or _default_output(command, out, query is not None)
    check_options(command, args)
    secret_file = secret_file_for(command, args, output)
    try:
        arguments = call_arguments(command, args, where)
        log_to_stderr(args.verbose)
        from cohesity_sdk.helios.api.user_api import UserApi
        from cohesity_sdk.helios.api_client import ApiClient
        from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

        with configuration_for(args) as configuration, ApiClient(configuration) as client:
            api = UserApi(client)
            routing = {name: getattr(args, name) for name in ROUTING
                       if getattr(args, name, None) is not None}
            keywords = fill_in_names(api, command, args, arguments, routing)
            deletion = Deletion.of(api, command, args, keywords, routing)
            method = getattr(api, f"{command.method}_with_http_info")
            with confirm_and_report(deletion, args, where):
                try:
                    response = method(**keywords)
                except (ApiTypeError, ApiValueError) as exc:  # refused before sending
                    raise UsageError(in_cli_words(str(exc), command)) from None
            names = member_names(api, response.data, where) \
                if output == "table" and query is None else None
        if secret_file is not None:
            secrets = answer_secrets(command, response.raw_data)
            try:
                secret_file.commit("".join(f"{value}\n" for value in secrets.values()))
            except OSError as exc:
                write(response, "json", out)  # the one copy there is: never lost
                raise SecretNotSaved(
                    f"the call succeeded, but {secret_file.path} could not be written "
                    f"({exc.strerror}): the answer, secret included, is on stdout") from None
            what = " and ".join(command.answer_secrets)
            print(f"{where}: wrote the answer's {what} to {secret_file.path} (mode 0600)",
                  file=sys.stderr)
    finally:
        if secret_file is not None:
            secret_file.discard()
    write(response, output, out,
          hide=command.answer_secrets if secret_file is not None else (), query=query,
          names=names)
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


def _default_output(command: Command, out: TextIO, queried: bool) -> str:
    if command.returns_secret or queried:
        return "json"  # the only output that shows the secret, and the API shows it once
    return "table" if out.isatty() else "json"


def check_options(command: Command, args: argparse.Namespace) -> None:
    """Refuse, naming the option, what the SDK would refuse in its own (Python) words:
    a call that acts on everything without its confirmation, empty values, a SID and a
    name of the same thing, or neither when one is needed."""
    for option in command.options:
        value = getattr(args, option.name, None)
        if option.location == "confirm":
            guarded = getattr(args, option.guards, None) or _named(args, option.guards,
                                                                   command)
            if value and guarded:
                raise UsageError(f"{flag(option.name)} contradicts {flag(option.guards)}; "
                                 f"give one of them")
            if not value and not guarded:
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
        if option.names:
            _one_of(option, value, args, command)
    for dest, shown in _NAME_FLAGS.items():
        given = getattr(args, dest, None)
        if given is not None and any(not name.strip() for name in
                                     (given if isinstance(given, list) else [given])):
            raise UsageError(f"{shown} must not be empty")
    if getattr(args, "named_domain", None) is not None and not any(
            getattr(args, dest, None) for dest in ("named_user", "named_users",
                                                   "named_group", "named_groups")):
        raise UsageError("--domain goes with --username or --group")
    body = command.body
    if body is not None and body.names:
        named = [d for f, n in body.names for d in _NAME_ARGUMENTS[n] if getattr(args, d, None)]
        if named and getattr(args, "body", None) is not None:
            raise UsageError(f"give --body or {_NAME_FLAGS[named[0]]}, not both")
        if not named and getattr(args, "body", None) is None:
            flags = " or ".join(sorted({_NAME_FLAGS[d] for _, n in body.names
                                        for d in _NAME_ARGUMENTS[n]}))
            raise UsageError(f"the following arguments are required: --body (or {flags})")
    if getattr(args, "password_stdin", False):
        if getattr(args, "body", None) == "-":
            raise UsageError("--password-stdin and --body - both read stdin: give the body "
                             "with --body @FILE")
        if getattr(args, "new_password", False):
            raise UsageError("--password-stdin and --new-password both give the password: "
                             "give one of them")


def _named(args: argparse.Namespace, name: str, command: Command) -> bool:
    """Whether the option ``name`` was given by name instead (``--username``)."""
    option = next((o for o in command.options if o.name == name), None)
    return option is not None and bool(option.names) and any(
        getattr(args, dest, None) for dest in _NAME_ARGUMENTS[option.names])


def _one_of(option: Option, value: Any, args: argparse.Namespace, command: Command) -> None:
    named = [dest for dest in _NAME_ARGUMENTS[option.names] if getattr(args, dest, None)]
    shown = " or ".join([flag(option.name)] + [_NAME_FLAGS[d] for d in
                                               _NAME_ARGUMENTS[option.names]])
    if value is not None and named:
        raise UsageError(f"give {flag(option.name)} or {_NAME_FLAGS[named[0]]}, not both")
    if len(named) > 1:
        raise UsageError(f"give {_NAME_FLAGS[named[0]]} or {_NAME_FLAGS[named[1]]}, not both")
    if option.required and value is None and not named:
        raise UsageError(f"the following arguments are required: {shown}")
    if option.names == "key" and named:
        owner = next((o for o in command.options if o.names == "user"), None)
        if owner is not None and getattr(args, owner.name, None) is None \
                and not getattr(args, "named_user", None):
            raise UsageError(f"--key-name needs its user: give {flag(owner.name)} or "
                             "--username")


def in_cli_words(message: str, command: Command) -> str:
    """An SDK message about the call's arguments, with the options the user typed for
    the parameters it names: ``delete_session(): sid=...`` -> ``--sid ...``."""
    message = message.replace(f"{command.method}(): ", "")
    for option in sorted(command.options, key=lambda o: -len(o.name)):
        message = re.sub(rf"(?<![\w.\[-]){re.escape(option.name)}(?:=True\b|=\.\.\.)?(?![\w-])",
                         flag(option.name), message)
    return message


def call_arguments(command: Command, args: argparse.Namespace,
                   where: str = PROG) -> Arguments:
    """The method's keyword arguments: the options given, and the body's JSON.

    A body given on the command line itself that holds a password is warned about; the
    passwords a command needs and the body leaves out come from ``--password-stdin``, or
    are asked for on a terminal, and are refused off one. The body is checked as its
    model here, before anything is sent.
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
        return Arguments(keywords, None)
    given = getattr(args, "body", None)
    value = read_body(given) if given is not None else None
    if given is not None and given != "-" and not given.startswith("@"):
        warn_of_secrets(body, value, where)
    from_stdin = password_from_stdin() if getattr(args, "password_stdin", False) else None
    sets_one = not body.is_list and not command.login and NEW_PASSWORD in body.secrets
    if getattr(args, "new_password", False) or (from_stdin and sets_one):
        value = {} if value is None else value
        if not isinstance(value, dict):
            raise UsageError(f"--body must be {body_shape(body)}")
        whose = args.sid or getattr(args, "named_user", None) or "the user"
        put_path(value, NEW_PASSWORD, from_stdin or ask(f"New password for {whose}: ",
                                                        twice=True))
    elif value is None and body.required and not body.names:
        more = " (or --new-password, to change only the password)" if sets_one else ""
        raise UsageError(f"the following arguments are required: --body{more}")
    expires_in = getattr(args, "expires_in", None)
    if expires_in is not None:
        value = {} if value is None else value
        if not isinstance(value, dict):
            raise UsageError(f"--body must be {body_shape(body)}")
        if value.get("expiryTimeMsecs") is not None:
            raise UsageError("give --expires-in or the body's expiryTimeMsecs, not both")
        value["expiryTimeMsecs"] = int(time.time() * 1000) + expires_in * 1000
    if value is not None:
        hint = _body_hint(command)
        keywords["body"] = body_models(body, value, hint)  # checked now, before any call
        if takes_a_password(command):  # asked for once the rest of the body is right
            fill_passwords(command, value, from_stdin)
            keywords["body"] = body_models(body, value, hint)
    return Arguments(keywords, value)


def _body_hint(command: Command) -> str:
    body = command.body
    if body is None or not body.names:
        return ""
    flags = sorted({_NAME_FLAGS[d] for _, n in body.names for d in _NAME_ARGUMENTS[n]})
    return f"; or name them with {' and '.join(flags)}"


def fill_in_names(api: UserApi, command: Command, args: argparse.Namespace,
                  arguments: Arguments, routing: Dict[str, Any]) -> Dict[str, Any]:
    """The keywords with the SIDs (and key ids) of the names given, looked up on the
    cluster; ``args.found`` keeps what each name was found to be, for the words."""
    keywords = dict(arguments.keywords)
    domain = getattr(args, "named_domain", None)
    found: Dict[str, List[Found]] = {}
    user: Optional[Found] = None
    if getattr(args, "named_user", None):
        user = find_user(api, args.named_user, domain, routing)
    group = find_group(api, args.named_group, domain, routing) \
        if getattr(args, "named_group", None) else None
    users = [find_user(api, name, domain, routing)
             for name in getattr(args, "named_users", None) or []]
    groups = [find_group(api, name, domain, routing)
              for name in getattr(args, "named_groups", None) or []]
    for option in command.options:
        chosen = {"user": user, "group": group, "principal": user or group}.get(option.names)
        if chosen is not None:
            keywords[option.name] = chosen.sid
            found[option.name] = [chosen]
        elif option.names == "users" and users:
            keywords[option.name] = [u.sid for u in users]
            found[option.name] = users
    key_option = next((o for o in command.options if o.names == "key"), None)
    if key_option is not None and getattr(args, "named_key", None):
        owner_option = next(o for o in command.options if o.names == "user")
        owner = user or Found(keywords[owner_option.name],
                              f"user {keywords[owner_option.name]}")
        key = find_key(api, owner, args.named_key, routing)
        keywords[key_option.name] = key.sid
        found[key_option.name] = [key]
    body = command.body
    if body is not None and body.names and (users or groups):
        field = body.names[0][0]
        chosen_list = users or groups
        value = {field: [f.sid for f in chosen_list]}
        keywords["body"] = body_models(body, value)
        found["body"] = chosen_list
    args.found = found
    return keywords
