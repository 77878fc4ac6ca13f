"""Values that never show: a ``Secret`` string and ``Headers`` that mask credentials.

A key, a password, a one-time code or a session id is held in one of these from where
the SDK gets it to where it is written to the socket, so that no ``repr()`` shows it: not
a log line, not an error, and not the locals an error tracker records with a traceback
(``traceback.TracebackException(..., capture_locals=True)``). The ground floor: imports
nothing of the SDK but its ``constants``.
"""

from __future__ import annotations

import hmac
from typing import Any, Dict, FrozenSet, Iterable, Mapping, Optional, Union

from cohesity_sdk.helios.constants import CREDENTIAL_HEADERS

MASK = "***"
_NONE: FrozenSet[str] = frozenset()


class Secret:
    """A string that shows as ``***``; ``reveal()`` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__


def reveal(value: Union[str, Secret, None]) -> Optional[str]:
    """The text of ``value``, a ``Secret`` or a plain string."""
    return value.reveal() if isinstance(value, Secret) else value


class Headers(Dict[str, str]):
    """Request headers whose ``repr`` shows credentials as ``***``.

    Masked: the credential headers the SDK knows (``apiKey``, ``session-id``,
    ``Authorization``, ``Proxy-Authorization``, ``Cookie``) and any header set with
    ``put_secret`` (those an ``Auth`` of your own adds).
    """

    # Set only when a header outside CREDENTIAL_HEADERS is a credential: building a
    # Headers then costs what building a dict does.
    __slots__ = ("_secret_names",)
    _secret_names: FrozenSet[str]

    def put_secret(self, name: str, value: str) -> None:
        """Set a header whose value is a credential."""
        self[name] = value
        lowered = name.lower()
        if lowered not in CREDENTIAL_HEADERS:
            self._secret_names = self._names() | {lowered}

    def _names(self) -> FrozenSet[str]:
        return getattr(self, "_secret_names", _NONE)

    def update_secret(self, headers: Mapping[str, str]) -> None:
        """Set every header of ``headers`` as a credential."""
        for name, value in headers.items():
            self.put_secret(name, value)

    def with_credentials(self, credentials: Optional[Mapping[str, str]]) -> "Headers":
        """A copy of these headers with ``credentials`` (a try's) set over them, masked."""
        other = Headers(self)
        names = getattr(self, "_secret_names", _NONE)
        if credentials:
            other.update(credentials)
            for name in credentials:
                lowered = name.lower()
                if lowered not in CREDENTIAL_HEADERS:
                    names = names | {lowered}
        if names:
            other._secret_names = names
        return other

    def is_secret(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in CREDENTIAL_HEADERS or lowered in self._names()

    def copy(self) -> "Headers":
        other = Headers(self)
        other._secret_names = getattr(self, "_secret_names", _NONE)
        return other

    def masked(self) -> Dict[str, str]:
        """A plain dict of these headers with credentials as ``***``."""
        return {name: MASK if self.is_secret(name) else value for name, value in self.items()}

    def __repr__(self) -> str:
        return repr(self.masked())

    __str__ = __repr__

    def __reduce__(self) -> Any:
        return (_headers, (dict(self), tuple(self._names())))


def _headers(items: Dict[str, str], secret_names: Iterable[str]) -> Headers:
    headers = Headers(items)
    headers._secret_names = frozenset(secret_names)
    return headers

