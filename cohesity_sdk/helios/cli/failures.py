"""What ends a command: its exit statuses, and the errors that say why in one line.
The command line's ground floor: it imports nothing of the SDK until a failure is
sorted."""

from __future__ import annotations

import sys
from typing import Tuple

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command line asks for something that cannot be sent."""


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
    if isinstance(exc, (ApiException, ApiConnectionError, SecretNotSaved)):
        return str(exc), EXIT_REFUSED
    raise exc


def fail(where: str, message: str, status: int) -> int:
    """Say ``message`` on one line of stderr, as ``where`` (``cohesity-helios get-users``),
    and return ``status``."""
    message = " ".join(message.split())  # one line, whatever the server sent
    print(f"{where}: error: {message}", file=sys.stderr)
    return status
