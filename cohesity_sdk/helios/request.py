"""``HttpRequest``: one request as it is built, before the credentials of a try are
added (``serialize`` builds it; the pipeline sends it, a try at a time)."""

from __future__ import annotations

from typing import Optional

from cohesity_sdk.helios.secret import Headers

__all__ = ["HttpRequest"]

_NO_HEADERS = Headers()


class HttpRequest:
    """One request as it goes on the wire, credentials aside.

    ``headers`` and ``overrides`` show credentials as ``***``, and the body is shown by
    its size only: it may hold passwords.
    """

    __slots__ = ("operation", "method", "url", "headers", "body", "overrides")

    def __init__(
        self,
        operation: str,
        method: str,
        url: str,
        headers: Headers,
        body: Optional[bytes] = None,
        overrides: Headers = _NO_HEADERS,
    ) -> None:
        self.operation = operation
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        #: The caller's ``_headers``: they win over every other header, credentials too.
        self.overrides = overrides

    def __repr__(self) -> str:
        size = "no body" if self.body is None else f"{len(self.body)} bytes"
        return f"HttpRequest({self.method} {self.url}, {size})"
