"""The log of the requests a ``FakeHelios`` received, for tests to assert on.

The log is bounded twice, so that a long run, or one with big bodies, does not grow
without end: it keeps the last ``max_requests`` requests, and their bodies whole up to
``max_log_bytes`` in all. Past that budget the oldest bodies are cut to their first
``CUT_BODY_BYTES`` bytes (and their parsed ``json`` let go), keeping their size; a body
larger than the whole budget is cut as it arrives. A request keeps its body as sent
otherwise (``json``, ``body``); only its text forms (``str``, ``repr``, ``to_json``)
hide secrets.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import (
    Any,
    Deque,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Union,
    overload,
)

MASK = "***"

#: The ``status`` of a request that got no answer: dropped, or still being handled.
NO_ANSWER = 0

#: How many requests a ``FakeHelios`` keeps unless told otherwise.
DEFAULT_MAX_REQUESTS = 1000

#: How many bytes of bodies the log keeps whole, in all, unless told otherwise: as much
#: as the largest body the server takes, so the latest request is always whole. Parsed
#: JSON takes a few times its size in memory besides.
DEFAULT_MAX_LOG_BYTES = 16 * 1024 * 1024

#: What a body cut to fit the budget keeps: its first bytes.
CUT_BODY_BYTES = 1024

#: How much of a body ``repr`` shows, in characters.
REPR_BODY_LIMIT = 500

#: Headers the log itself masks, in lower case; the text forms mask more.
SECRET_HEADERS = frozenset({"apikey", "session-id"})

# Names (lower case, without "-" and "_") whose values the text forms hide: a password,
# currentPassword, otpCode, privateKey, apiKey, secret, secret-key, s3SecretKey,
# sessionId, accessToken, Authorization header...
_SECRET_NAME_ENDINGS = (
    "password", "passphrase", "secret", "secretkey", "privatekey", "apikey", "otpcode",
    "sessionid", "token", "authorization", "cookie",
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def is_secret_name(name: str) -> bool:
    """Whether a JSON key, header or query parameter of this name holds a secret."""
    return _NOT_ALNUM.sub("", name.lower()).endswith(_SECRET_NAME_ENDINGS)


def masked(headers: Mapping[str, str]) -> Dict[str, str]:
    """``headers`` with the API key and session id hidden, whatever the case of the name."""
    return {k: MASK if k.lower() in SECRET_HEADERS else v for k, v in headers.items()}


def mask_json(value: Any) -> Any:
    """A copy of ``value`` with the value of every secret-named key hidden, at any depth."""
    if isinstance(value, dict):
        return {k: MASK if _hides(k, v) else mask_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_json(item) for item in value]
    return value


def _hides(name: Any, value: Any) -> bool:
    return isinstance(name, str) and value is not None and is_secret_name(name)


@dataclass(frozen=True)
class FakeRequest:
    """One request, as it arrived.

    ``path`` is the raw path (``/v2/users/...``) without the query; ``query`` maps each
    name to its values, decoded (``?sids=a,b`` is ``{"sids": ["a,b"]}``); ``headers``
    has the ``apiKey`` and ``session-id`` values masked as ``***``; ``json`` is the
    parsed body, unmasked, or ``None`` when there was none or it was not JSON; ``body``
    is the body's bytes as sent; ``operation_id`` is ``None`` for a path or method the
    API does not have; ``status`` is what was answered, ``0`` for none.

    ``body_size`` is the size of the body as sent. When the log's byte budget cut the
    body (``truncated``), ``body`` holds its first ``CUT_BODY_BYTES`` bytes and ``json``
    is ``None``.

    ``str()`` and ``repr()`` hide every secret (passwords, OTP codes, keys, secrets,
    session ids, at any depth) and cut long bodies short.
    """

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    json: Any
    operation_id: Optional[str]
    status: int = NO_ANSWER
    body: bytes = b""
    body_size: int = -1  # -1: len(body)

    def __post_init__(self) -> None:
        if self.body_size < 0:
            object.__setattr__(self, "body_size", len(self.body))

    @property
    def truncated(self) -> bool:
        """Whether the log cut the body (to fit its byte budget)."""
        return len(self.body) < self.body_size

    def cut(self) -> "FakeRequest":
        """This request with its body cut to ``CUT_BODY_BYTES`` and no ``json``."""
        return dataclasses.replace(self, body=self.body[:CUT_BODY_BYTES], json=None,
                                   body_size=self.body_size)

    def to_json(self) -> Dict[str, Any]:
        """The request as JSON, with secrets hidden as ``str()`` hides them (the body
        whole): ``method``, ``path``, ``query``, ``headers``, ``json``, ``operationId``,
        ``status``."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self._query(),
            "headers": self._headers(),
            "json": mask_json(self.json),
            "operationId": self.operation_id,
            "status": self.status,
            "bodySize": self.body_size,
            "truncated": self.truncated,
        }

    def __repr__(self) -> str:
        if self.json is not None:
            body = f"json={_short_repr(self.json, REPR_BODY_LIMIT, len(self.body))}"
        elif self.truncated:
            body = f"json=None, body=<{self.body_size} bytes, cut to fit the log, not shown>"
        elif self.body:
            body = f"json=None, body=<{len(self.body)} bytes, not shown>"  # it may hold a secret
        else:
            body = "json=None"
        return (
            f"FakeRequest(method={self.method!r}, path={self.path!r}, "
            f"query={self._query()!r}, headers={self._headers()!r}, {body}, "
            f"operation_id={self.operation_id!r}, status={self.status!r})"
        )

    __str__ = __repr__

    def _query(self) -> Dict[str, List[str]]:
        return {k: [MASK] * len(v) if is_secret_name(k) else list(v)
                for k, v in self.query.items()}

    def _headers(self) -> Dict[str, str]:
        return {k: MASK if is_secret_name(k) else v for k, v in self.headers.items()}


def _short_repr(value: Any, limit: int, size: int) -> str:
    """The masked repr of ``value``, cut after ``limit`` characters; only what is shown
    is rendered, so a huge body costs little."""
    shown: List[str] = []
    length = 0
    for piece in _repr_pieces(value, limit):
        shown.append(piece)
        length += len(piece)
        if length > limit:
            return "".join(shown)[:limit] + f"...<{size} bytes>"
    return "".join(shown)


def _repr_pieces(value: Any, limit: int) -> Iterator[str]:
    if isinstance(value, dict):
        yield "{"
        for i, (k, v) in enumerate(value.items()):
            yield f"{', ' if i else ''}{k!r}: "
            if _hides(k, v):
                yield repr(MASK)
            else:
                yield from _repr_pieces(v, limit)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _repr_pieces(item, limit)
        yield "]"
    elif isinstance(value, str) and len(value) > limit:
        yield repr(value[:limit + 1])  # the rest is cut anyway
    else:
        yield repr(value)


class RequestLog:
    """The last ``max_entries`` requests (all when ``None``) in arrival order, their
    bodies whole up to ``max_bytes`` in all (no bound when ``None``); an entry gets its
    status when the answer is sent."""

    def __init__(self, max_entries: Optional[int] = DEFAULT_MAX_REQUESTS,
                 max_bytes: Optional[int] = DEFAULT_MAX_LOG_BYTES) -> None:
        if max_entries is not None and (
            isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 0
        ):
            raise ValueError(
                f"max_requests must be a non-negative integer or None, got {max_entries!r}")
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0
        ):
            raise ValueError(
                f"max_log_bytes must be a non-negative integer or None, got {max_bytes!r}")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: Deque[FakeRequest] = deque(maxlen=max_entries)
        self._filed = 0  # requests ever filed: a ticket is its request's number
        self._whole_bytes = 0  # the sizes of the bodies kept whole
        self._uncut_from = 0  # the ticket of the oldest request whose body may be whole

    def add(self, request: FakeRequest) -> int:
        """File ``request``; returns the ticket ``answered`` needs."""
        with self._lock:
            ticket = self._filed
            self._filed += 1
            if self.max_entries == 0:
                return ticket
            if self.max_bytes is not None and len(request.body) > self.max_bytes:
                request = request.cut()
            if len(self._entries) == self._entries.maxlen:  # the oldest is let go
                self._whole_bytes -= _whole_size(self._entries[0])
            self._entries.append(request)
            self._whole_bytes += _whole_size(request)
            self._fit()
            return ticket

    def _fit(self) -> None:
        """Cut the oldest whole bodies until those left fit the budget."""
        if self.max_bytes is None:
            return
        first = self._filed - len(self._entries)  # the ticket of entry 0
        position = max(self._uncut_from - first, 0)
        while self._whole_bytes > self.max_bytes and position < len(self._entries):
            entry = self._entries[position]
            size = _whole_size(entry)
            if size:
                self._entries[position] = entry.cut()
                self._whole_bytes -= size
            position += 1
        self._uncut_from = first + position

    def answered(self, ticket: int, status: int) -> None:
        with self._lock:
            # Entries dropped off the front, or cleared, have gone below position 0.
            position = ticket - (self._filed - len(self._entries))
            if 0 <= position < len(self._entries):
                entry = self._entries[position]
                self._entries[position] = dataclasses.replace(entry, status=status)

    def snapshot(self) -> List[FakeRequest]:
        with self._lock:
            return list(self._entries)

    def get(self, index: int) -> FakeRequest:
        with self._lock:
            return self._entries[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._whole_bytes = 0
            self._uncut_from = self._filed


def _whole_size(request: FakeRequest) -> int:
    """What ``request`` counts against the budget: its body's size, unless it was cut."""
    return 0 if request.truncated else len(request.body)


class RequestLogView(Sequence[FakeRequest]):
    """``FakeHelios.requests``: a read-only, live view of the request log.

    It reads like a list (``len``, ``[-1]``, slices, iteration, ``==`` with a list),
    always shows the log as it is now, and ``clear()`` empties the log itself.
    """

    def __init__(self, log: RequestLog) -> None:
        self._log = log

    @property
    def max_requests(self) -> Optional[int]:
        """How many requests the log keeps (``None``: all); older ones are dropped."""
        return self._log.max_entries

    @property
    def max_log_bytes(self) -> Optional[int]:
        """How many bytes of bodies the log keeps whole, in all (``None``: no bound);
        older bodies are cut past it (``FakeRequest.truncated``)."""
        return self._log.max_bytes

    def clear(self) -> None:
        """Forget every logged request."""
        self._log.clear()

    def __len__(self) -> int:
        return len(self._log)

    @overload
    def __getitem__(self, index: int) -> FakeRequest: ...

    @overload
    def __getitem__(self, index: slice) -> List[FakeRequest]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[FakeRequest, List[FakeRequest]]:
        if isinstance(index, slice):
            return self._log.snapshot()[index]
        return self._log.get(index)

    def __iter__(self) -> Iterator[FakeRequest]:
        return iter(self._log.snapshot())  # a copy: requests may arrive meanwhile

    def __reversed__(self) -> Iterator[FakeRequest]:
        return reversed(self._log.snapshot())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (RequestLogView, list, tuple)):
            return self._log.snapshot() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # it changes

    def __repr__(self) -> str:
        return repr(self._log.snapshot())
