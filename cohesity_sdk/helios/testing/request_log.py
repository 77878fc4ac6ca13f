"""The log of the requests a ``FakeHelios`` received, for tests to assert on."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

MASK = "***"

#: The ``status`` of a request that got no answer: dropped, or still being handled.
NO_ANSWER = 0


@dataclass(frozen=True)
class FakeRequest:
    """One request, as it arrived.

    ``path`` is the raw path (``/v2/users/...``) without the query; ``query`` maps each
    name to its values, decoded (``?sids=a,b`` is ``{"sids": ["a,b"]}``); ``headers``
    has the ``apiKey`` and ``session-id`` values masked as ``***``; ``json`` is the
    parsed body, or ``None`` when there was none or it was not JSON; ``operation_id`` is
    ``None`` for a path or method the API does not have; ``status`` is what was
    answered, ``0`` for none.
    """

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    json: Any
    operation_id: Optional[str]
    status: int = NO_ANSWER


#: Headers that carry credentials, in lower case.
SECRET_HEADERS = frozenset({"apikey", "session-id"})


def masked(headers: Mapping[str, str]) -> Dict[str, str]:
    """``headers`` with the API key and session id hidden, whatever the case of the name."""
    return {k: MASK if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


class RequestLog:
    """Requests in arrival order; an entry gets its status when the answer is sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: List[FakeRequest] = []
        self._generation = 0  # so that a request in flight during clear() is not filed

    def add(self, request: FakeRequest) -> Tuple[int, int]:
        """File ``request``; returns the ticket ``answered`` needs."""
        with self._lock:
            self._entries.append(request)
            return self._generation, len(self._entries) - 1

    def answered(self, ticket: Tuple[int, int], status: int) -> None:
        generation, index = ticket
        with self._lock:
            if generation == self._generation:
                self._entries[index] = dataclasses.replace(self._entries[index], status=status)

    def snapshot(self) -> List[FakeRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries = []
            self._generation += 1
