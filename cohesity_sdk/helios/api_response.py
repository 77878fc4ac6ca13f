"""What the ``*_with_http_info`` methods return."""

from __future__ import annotations

from typing import Generic, Mapping, TypeVar

T = TypeVar("T")


class ApiResponse(Generic[T]):
    """The decoded ``data`` of a call together with its HTTP details."""

    __slots__ = ("status_code", "headers", "data", "raw_data")

    def __init__(
        self, status_code: int, headers: Mapping[str, str], data: T, raw_data: bytes
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.data = data
        self.raw_data = raw_data

    def __repr__(self) -> str:
        # raw_data may hold a secret (a new API key), so only its size is shown.
        return (
            f"ApiResponse(status_code={self.status_code}, data={self.data!r}, "
            f"raw_data=<{len(self.raw_data)} bytes>)"
        )
