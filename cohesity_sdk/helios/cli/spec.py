"""How the command line's table (the generated ``cli.commands``) describes an operation.

Plain tuples, so that ``cohesity-helios --help`` reads them without importing pydantic
or a model.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Tuple


class Option(NamedTuple):
    """A parameter of the operation, given as ``--<name with dashes>``."""

    name: str  # the method's keyword
    kind: str  # "string", "integer", "boolean" or "array" (of strings)
    location: str  # "path", "query", "header", or "confirm" for a confirmation flag
    required: bool = False
    help: str = ""
    guards: str = ""  # a confirmation flag: the option without which the call needs it
    # What it identifies, which may be named instead: "user", "users", "group",
    # "groups", "principal" (a user or a group) or "key" (of the command's user).
    names: str = ""


class Body(NamedTuple):
    """The request body, given as ``--body`` JSON."""

    model: str  # the model of the body, or of each item when is_list
    is_list: bool = False
    required: bool = False
    example: str = ""  # JSON, from the spec's example
    # The JSON paths of the secrets it may carry (in each item of a list), such as
    # "localUserParams.password": a body on the command line holding one is warned about.
    secrets: Tuple[str, ...] = ()
    # Fields of the body that hold SIDs, and what they identify, as ``Option.names``:
    # the command line fills them from names.
    names: Tuple[Tuple[str, str], ...] = ()


class Command(NamedTuple):
    """One subcommand: the ``UserApi`` method it calls and what it takes."""

    method: str
    summary: str
    description: str
    options: Tuple[Option, ...] = ()
    body: Optional[Body] = None
    response: Optional[str] = None  # the model of the answer; None: no body
    # The answer holds a secret the API gives once (a new key): printed in JSON only.
    returns_secret: bool = False
    answer_secrets: Tuple[str, ...] = ()  # the JSON names of the answer's secret fields
    login: bool = False  # it logs in: it takes credentials in its body, not a key
