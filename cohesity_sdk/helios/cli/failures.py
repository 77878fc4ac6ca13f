"""What ends a command: its exit statuses, and the errors that say why in one line.
The command line's ground floor: it imports nothing of the SDK until a failure is
sorted."""

from __future__ import annotations

import sys
from typing import Tuple

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
#: Ctrl-C, as shells report a command that SIGINT ended.
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The command line asks for something that cannot be sent."""


class Cancelled(Exception):
    """The one at the terminal said no, or pressed Ctrl-D or Ctrl-C at a prompt: nothing
    was sent. Exit status 1, or 130 for Ctrl-C."""

    def __init__(self, interrupted: bool = False, said_no: bool = False) -> None:
        self.interrupted = interrupted
        self.status = EXIT_INTERRUPTED if interrupted else EXIT_REFUSED
        super().__init__("not confirmed; nothing was sent" if said_no else
                         "cancelled at the prompt; nothing was sent")


class UnknownName(Exception):
    """A name given instead of a SID matches nothing, or more than one: nothing was
    changed. Exit status 1."""


class SecretNotSaved(Exception):
    """The call succeeded, but the secret it gave could not be written where asked."""


def exit_for(exc: Exception) -> Tuple[str, int]:
    """The one-line message and exit status of an exception raised by a command."""
    from cohesity_sdk.helios.exceptions import (
        ApiConnectionError,
        ApiException,
        ApiTypeError,
        ApiValueError,
    )

    if isinstance(exc, (ApiTypeError, ApiValueError)):
        return str(exc), EXIT_USAGE  # refused before anything was sent
    if isinstance(exc, (ApiException, ApiConnectionError, SecretNotSaved, UnknownName)):
        return str(exc), EXIT_REFUSED
    raise exc


def fail(where: str, message: str, status: int) -> int:
    """Say ``message`` on one line of stderr, as ``where`` (``cohesity-helios get-users``),
    and return ``status``."""
    message = " ".join(message.split())  # one line, whatever the server sent
    print(f"{where}: error: {message}", file=sys.stderr)
    return status
