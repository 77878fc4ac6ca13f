"""What a command reads besides its options: the body (``--body`` JSON, a file or
stdin), turned into the request's models and refused in the body's own JSON words; the
secrets it takes from a prompt or from stdin (``--password-stdin``); and a yes at a
prompt."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type

from cohesity_sdk.helios.cli.failures import Cancelled, UsageError
from cohesity_sdk.helios.cli.spec import Body, Command

if TYPE_CHECKING:
    from cohesity_sdk.helios.model_base import ApiModel

# Where a body carries a user's password: asked for on a terminal when it is left out.
NEW_PASSWORD = "localUserParams.password"
#: The variable the examples read a password from.
PASSWORD_VARIABLE = {"login": "HELIOS_PASSWORD", "new": "NEW_PASSWORD"}


def body_shape(body: Body) -> str:
    return (f"a JSON array of {body.model} objects (or one object)" if body.is_list
            else f"a JSON {body.model} object")


def takes_a_password(command: Command) -> bool:
    """Whether the command's body carries a password it may read from stdin: a login's,
    new LOCAL users', or one user's new one."""
    body = command.body
    if body is None:
        return False
    return command.login or NEW_PASSWORD in body.secrets


def example_line(command: Command, prog: str = "cohesity-helios") -> str:
    """A command line that runs ``command`` with its body's example; never a secret on
    it: a password comes from stdin, as ``--password-stdin`` reads it."""
    name = command.method.replace("_", "-")
    required = "".join(f" --{o.name.replace('_', '-')} {o.name.upper()}"
                       for o in command.options if o.required)
    body = command.body
    line = f"{prog} {name}{required} --body '{body.example if body else ''}'"
    if takes_a_password(command):
        variable = PASSWORD_VARIABLE["login" if command.login else "new"]
        line = (f"printf '%s\\n' \"${variable}\" | {prog} {name}{required} --password-stdin "
                f"--body '{body.example if body else ''}'")
    return line


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


def body_models(body: Body, value: Any, hint: str = "") -> Any:
    """``value`` (parsed JSON) as the body's model(s); a key or a value the model does
    not take is refused in the body's own words (its JSON names, the path as typed),
    with ``hint`` (another way to say it) after an unknown key."""
    from cohesity_sdk.helios import models

    cls = getattr(models, body.model)
    if not body.is_list:
        if not isinstance(value, dict):
            raise UsageError(f"--body must be {body_shape(body)}")
        return _model(cls, value, "--body", hint)
    listed = [value] if isinstance(value, dict) else value
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        raise UsageError(f"--body must be {body_shape(body)}")
    return [_model(cls, item, f"--body[{i}]", hint) for i, item in enumerate(listed)]


def _model(cls: Type[ApiModel], data: Dict[str, Any], where: str, hint: str) -> Any:
    from pydantic import ValidationError

    _check_keys(cls, data, where, hint)
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            path = where + "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                                   for p in error["loc"])
            message = error["msg"]
            problems.append(f"{path}: {message[:1].lower()}{message[1:]}")
        raise UsageError("; ".join(problems)) from None


def _check_keys(cls: Type[ApiModel], data: Dict[str, Any], where: str, hint: str) -> None:
    """Refuse a key the model does not take, naming those it does, as JSON spells them."""
    from cohesity_sdk.helios.exceptions import did_you_mean
    from cohesity_sdk.helios.model_base import set_by_the_server

    plans = cls.__known_names__
    for key, value in data.items():
        plan = plans.get(key)
        if plan is None:
            server_sets = set_by_the_server(cls, key)
            if server_sets:
                raise UsageError(f"{where}: unknown key '{key}'{server_sets}")
            takes = sorted({p.alias for p in plans.values()})
            raise UsageError(f"{where}: unknown key '{key}'{did_you_mean(key, takes)}; "
                             f"{cls.__name__} takes {', '.join(takes)}{hint}")
        from cohesity_sdk.helios.model_base import nested_model

        nested = nested_model(plan)
        if nested is None:
            continue
        if isinstance(value, dict):
            _check_keys(nested, value, f"{where}.{plan.alias}", "")
        elif plan.is_list and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _check_keys(nested, item, f"{where}.{plan.alias}[{i}]", "")


def items(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


def get_path(item: Any, path: str) -> Any:
    for part in path.split("."):
        item = item.get(part) if isinstance(item, dict) else None
    return item


def put_path(item: Dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    for part in parents:
        nested = item.get(part)
        if nested is None:
            nested = item[part] = {}
        if not isinstance(nested, dict):
            raise UsageError(f"body: {part} must be an object")
        item = nested
    item[name] = value


def warn_of_secrets(body: Body, value: Any, where: str) -> None:
    """Warn when ``--body`` JSON typed on the command line holds a password or a code:
    every user of the machine can read a command line (ps), and shells keep it."""
    found = sorted({path for item in items(value) for path in body.secrets
                    if get_path(item, path) not in (None, "")})
    if found:
        print(f"{where}: warning: --body on the command line holds a password or code "
              f"({', '.join(found)}): other users can read it in the process list, and the "
              "shell's history keeps it; use --password-stdin, --body @FILE or --body - "
              "(stdin) instead", file=sys.stderr)


def fill_passwords(command: Command, value: Any, from_stdin: Optional[str]) -> None:
    """Give the passwords the body leaves out: ``from_stdin`` (``--password-stdin``),
    else asked for on a terminal, as ``git`` and ``docker login`` do. Off a terminal,
    a body without the password it needs is refused, naming ``--password-stdin``."""
    for item in items(value):
        if not isinstance(item, dict):
            return
        user = f"{item.get('domain') or 'LOCAL'}\\{item.get('username') or '?'}"
        if command.login:
            if item.get("password") is None and item.get("privateKey") is None:
                item["password"] = from_stdin or _needed(f"Password for {user}: ",
                                                         "the login's password")
            if item.get("otpType") is not None and item.get("otpCode") is None:
                item["otpCode"] = _needed(f"One-time code ({item['otpType']}) for {user}: ",
                                          "the one-time code (otpCode)")
        elif (command.body is not None and command.body.is_list
              and NEW_PASSWORD in command.body.secrets
              and item.get("domain") == "LOCAL" and get_path(item, NEW_PASSWORD) is None):
            put_path(item, NEW_PASSWORD, from_stdin or _needed(
                f"Password for the new user {user}: ", f"the password of {user}", twice=True))


def _needed(prompt: str, what: str, twice: bool = False) -> str:
    if not on_a_terminal():
        raise UsageError(f"the body gives no {what.replace('the ', '', 1)}, and there is no "
                         f"terminal to ask on: give it with --password-stdin (one line on "
                         f"stdin), or in --body @FILE; nothing was sent")
    return ask(prompt, twice=twice)


def password_from_stdin() -> str:
    """The first line of stdin, as ``docker login --password-stdin`` reads it."""
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise UsageError("--password-stdin: stdin gave no password (an empty first line, "
                         "or nothing); nothing was sent")
    return password


def on_a_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask(prompt: str, twice: bool = False) -> str:
    """A secret typed on the terminal, not echoed; ``twice`` asks again to confirm it.
    Ctrl-D or Ctrl-C there cancels the command (``Cancelled``)."""
    import getpass

    if not on_a_terminal():
        raise UsageError("--new-password asks on a terminal, and there is none here: give "
                         "the password with --password-stdin, or in --body @FILE or --body "
                         "- (stdin) instead")
    try:
        answer = getpass.getpass(prompt)
        if not answer:
            raise UsageError("nothing was typed; nothing was sent")
        if twice and getpass.getpass("Type it again: ") != answer:
            raise UsageError("the two do not match; nothing was sent")
    except (EOFError, KeyboardInterrupt) as exc:
        print(file=sys.stderr)  # the prompt's line ends
        raise Cancelled(interrupted=isinstance(exc, KeyboardInterrupt)) from None
    return answer


def confirmed(question: str) -> bool:
    """Whether the one at the terminal answers ``question`` with y or yes. Ctrl-D or
    Ctrl-C cancels the command (``Cancelled``)."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except KeyboardInterrupt:
        print(file=sys.stderr)
        raise Cancelled(interrupted=True) from None
    if not answer:  # Ctrl-D
        print(file=sys.stderr)
        raise Cancelled(interrupted=False)
    return answer.strip().lower() in ("y", "yes")
