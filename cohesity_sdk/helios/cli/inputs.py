"""What a command reads besides its options: the body (``--body`` JSON, a file or
stdin), turned into the request's models, and the secrets typed at a prompt."""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List

from cohesity_sdk.helios.cli.failures import UsageError
from cohesity_sdk.helios.cli.spec import Body, Command

# Where a body carries a user's password: asked for on a terminal when it is left out.
NEW_PASSWORD = "localUserParams.password"


def body_shape(body: Body) -> str:
    return (f"a JSON array of {body.model} objects (or one object)" if body.is_list
            else f"a JSON {body.model} object")


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
            raise UsageError(f"--body must be {body_shape(body)}")
        return build_model(cls, value, "body")
    listed = [value] if isinstance(value, dict) else value
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        raise UsageError(f"--body must be {body_shape(body)}")
    return [build_model(cls, item, f"body[{i}]") for i, item in enumerate(listed)]


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
              "shell's history keeps it; use --body @FILE or --body - (stdin) instead",
              file=sys.stderr)


def ask_for_missing(command: Command, value: Any) -> None:
    """On a terminal, ask for the password a login or a new LOCAL user leaves out, as
    ``git`` and ``docker login`` do. Elsewhere the body goes as it is."""
    if not on_a_terminal():
        return
    for item in items(value):
        if not isinstance(item, dict):
            return
        user = f"{item.get('domain') or 'LOCAL'}\\{item.get('username') or '?'}"
        if command.login:
            if item.get("password") is None and item.get("privateKey") is None:
                item["password"] = ask(f"Password for {user}: ")
            if item.get("otpType") is not None and item.get("otpCode") is None:
                item["otpCode"] = ask(f"One-time code ({item['otpType']}) for {user}: ")
        elif (command.body is not None and command.body.is_list
              and NEW_PASSWORD in command.body.secrets
              and item.get("domain") == "LOCAL" and get_path(item, NEW_PASSWORD) is None):
            put_path(item, NEW_PASSWORD, ask(f"Password for the new user {user}: ", twice=True))


def on_a_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def ask(prompt: str, twice: bool = False) -> str:
    """A secret typed on the terminal, not echoed; ``twice`` asks again to confirm it."""
    import getpass

    if not on_a_terminal():
        raise UsageError("--new-password asks on a terminal, and there is none here: give "
                         "the password in --body @FILE or --body - (stdin) instead")
    answer = getpass.getpass(prompt)
    if not answer:
        raise UsageError("nothing was typed; nothing was sent")
    if twice and getpass.getpass("Type it again: ") != answer:
        raise UsageError("the two do not match; nothing was sent")
    return answer
