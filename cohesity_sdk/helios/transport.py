"""The transport: what puts one try on the wire and brings its answer back.

``Transport`` is the seam: anything with ``send(TransportRequest) -> TransportResponse``
and ``close()`` can stand in for the network (``ApiClient(transport=...)``): a test
double, or a transport of your own. The one the SDK makes is ``Urllib3Transport``
(``cohesity_sdk.helios.urllib3_transport``), over a urllib3 ``PoolManager`` or
``ProxyManager``, built from the configuration or yours.

A transport sends once and never follows a redirect (credentials must not travel to a
host the user did not name); the engine decides what is tried again.

This module holds only the seam's types, so that importing the engine does not import
urllib3 before a call needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Protocol, runtime_checkable

from cohesity_sdk.helios.constants import Timeout

if TYPE_CHECKING:
    from cohesity_sdk.helios.secret import Headers


class TransportRequest:
    """One try of a call, as the transport sends it and as hooks see it.

    ``headers`` show credentials as ``***`` in their ``repr``; ``timeout`` is
    ``(connect, read)`` seconds for this try, already cut to the time left;
    ``deadline`` is the ``time.monotonic()`` by which the whole answer must be in (None:
    no limit); ``max_bytes`` is the largest body to accept; ``stream`` asks for the
    answer unread (the ``*_without_preload_content`` methods).
    """

    __slots__ = ("operation", "attempt", "method", "url", "headers", "body", "timeout",
                 "deadline", "max_bytes", "stream")

    def __init__(
        self,
        operation: str,
        attempt: int,
        method: str,
        url: str,
        headers: Headers,
        body: Optional[bytes],
        timeout: Timeout,
        deadline: Optional[float],
        max_bytes: int,
        stream: bool = False,
    ) -> None:
        self.operation = operation
        self.attempt = attempt
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.stream = stream

    def __repr__(self) -> str:
        # The body may hold passwords: only its size is shown.
        size = "no body" if self.body is None else f"{len(self.body)} bytes"
        return (f"TransportRequest({self.operation}, attempt {self.attempt}, "
                f"{self.method} {self.url}, {size})")


class TransportResponse:
    """The answer to one try: status, reason, headers and the whole body (``data``), or,
    for a ``stream`` request, the unread answer in ``raw`` (urllib3's response for
    ``Urllib3Transport``) and no ``data``."""

    __slots__ = ("status", "reason", "headers", "data", "raw")

    def __init__(
        self,
        status: int,
        reason: Optional[str],
        headers: Mapping[str, str],
        data: bytes = b"",
        raw: Any = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data
        self.raw = raw

    def release(self) -> None:
        """Give the connection of an unread answer back (its body is not wanted)."""
        raw = self.raw
        if raw is None:
            return
        try:
            raw.drain_conn()
            raw.release_conn()
        except Exception:  # the connection is gone anyway; the pool makes a new one
            pass

    def __repr__(self) -> str:
        # The body may hold a secret given once (a new key): only its size is shown.
        return f"TransportResponse({self.status}, {len(self.data)} bytes)"


@runtime_checkable
class Transport(Protocol):
    """What ``ApiClient(transport=...)`` takes besides a urllib3 pool manager.

    ``send`` sends the request once and returns the answer, whatever its status. It
    raises ``ApiConnectionError`` (``ApiTimeoutError`` when time ran out) when there is
    no answer, with ``phase`` saying whether the request may have reached the server.
    It should honour ``request.deadline`` and ``request.max_bytes``. A transport that
    keeps connections and may be used in a process forked from the one that made it
    should have an ``after_fork()`` method, which the client calls in the child.
    """

    def send(self, request: TransportRequest) -> TransportResponse:
        ...

    def close(self) -> None:
        ...


