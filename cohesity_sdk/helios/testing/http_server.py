"""The HTTP/1.1 plumbing of the fake: sockets, bodies, answers and dropped connections.

It knows nothing of the API: each request goes to an ``Exchange`` callable, whose
``Answer`` is written back, or whose ``None`` closes the connection unanswered.

What cannot be trusted is refused here, before the exchange sees it, and the server
keeps serving: a body over ``max_body_bytes`` (413), a bad or ambiguous length or chunk
size (400, connection closed), a body that is not UTF-8 or nests deeper than
``MAX_JSON_DEPTH`` (400), a request that stops arriving (408 after ``read_timeout``).
"""

from __future__ import annotations

import io
import json
import re
import selectors
import socket
import socketserver
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple, cast

from cohesity_sdk.helios.testing.errors import ApiError, bad_request

#: Largest request body, in bytes; a larger one is refused with 413 before it is read.
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Deepest nesting of arrays and objects in a body. The API's bodies are a few levels
#: deep, and ``json.loads`` recurses once per level.
MAX_JSON_DEPTH = 64
#: Seconds a kept-alive connection may wait for its next request before it is closed.
IDLE_TIMEOUT = 30.0
#: Seconds one read of a started request may wait for bytes before the 408.
READ_TIMEOUT = 10.0
#: Connections the kernel holds until accepted: Python's default of 5 makes a burst of
#: clients wait a second for their SYN to be retried.
REQUEST_QUEUE_SIZE = 128

_MAX_LINE = 65536
_LINGER = 2.0  # seconds to discard what a refused client still sends, so it reads the answer
_MAX_TRAILERS = 64
_READ_PIECE = 1 << 16  # a declared length is read in pieces, never allocated at once
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit accepts "²"
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")  # int(x, 16) accepts "0x1", "1_0", " 1"
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_BRACKET = bytes(range(256)).translate(None, b"[]{}")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # UTF-32's start with UTF-16's or NUL


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None  # JSON; None: no body
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    """What one request may cost the server: see the module constants."""

    max_body_bytes: int = MAX_BODY_BYTES
    idle_timeout: float = IDLE_TIMEOUT
    read_timeout: float = READ_TIMEOUT

    def __post_init__(self) -> None:
        size = self.max_body_bytes
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError("max_body_bytes must be a non-negative integer")
        for name in ("idle_timeout", "read_timeout"):
            seconds = getattr(self, name)
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                    or not 0 < seconds < float("inf"):
                raise ValueError(f"{name} must be a positive number of seconds")


#: (method, request target, headers as sent, body bytes, the client's address) -> the
#: answer, or None to drop.
Exchange = Callable[[str, str, Dict[str, str], bytes, str], Optional[Answer]]


class FakeHTTPServer(ThreadingHTTPServer):
    """A threading server that can close its idle keep-alive connections on stop."""

    daemon_threads = True
    request_queue_size = REQUEST_QUEUE_SIZE

    def __init__(
        self, address: Tuple[str, int], exchange: Exchange, limits: Limits = Limits()
    ) -> None:
        self.exchange = exchange
        self.limits = limits
        self._open: Set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._stopped = threading.Event()
        # serve_forever notices a shutdown only at its next poll; this wakes ours at once.
        self._wake_reader, self._wake_writer = socket.socketpair()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def serve(self) -> None:
        """Accept connections until ``stop_serving()``; each is served on its own thread."""
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopped.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self.socket and not self._stopped.is_set():
                        self.handle_request()

    def stop_serving(self) -> None:
        self._stopped.set()
        self._wake_writer.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler waiting for a next request on a kept-alive connection."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that left mid-answer is routine in tests of timeouts and drops.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: FakeHTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, as urllib3 pools connections
    # Not HTTP/0.9, whose answers have no status line: a garbled request line gets one.
    default_request_version = "HTTP/1.0"
    server_version = "FakeHelios/1.0"
    # Headers and body leave in one segment: no Nagle/delayed-ACK stall per call.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    _reading = False  # a request has begun and is not yet read whole
    _refused = False  # answered before its request was read whole

    def handle_one_request(self) -> None:
        # BaseHTTPRequestHandler's, with timeouts, and with every method sent to the
        # exchange (which answers 405 with Allow) instead of 501 for lack of a do_ method.
        self.command = self.requestline = self.request_version = ""
        self._reading = False
        try:
            self.connection.settimeout(self.server.limits.idle_timeout)
            if not cast(io.BufferedReader, self.rfile).peek(1):
                self.close_connection = True  # the client hung up
                return
            self._reading = True
            self.connection.settimeout(self.server.limits.read_timeout)
            self.raw_requestline = self.rfile.readline(_MAX_LINE + 1)
            if len(self.raw_requestline) > _MAX_LINE:
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.parse_request():
                return
            self._serve()
            self.wfile.flush()
        except socket.timeout:
            self.close_connection = True
            if self._reading:  # idle keep-alive connections just close
                self._refuse(ApiError(408, "the request did not arrive in time"))
                self.wfile.flush()

    def handle_expect_100(self) -> bool:
        # Refuse a body that is too large, or of unknown length, before the client sends it.
        try:
            self._framing()
        except ApiError as exc:
            self._refuse(exc)
            return False
        super().handle_expect_100()
        self.wfile.flush()  # wfile is buffered, and the client waits for this to send
        return True

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ApiError as exc:
            self._refuse(exc)  # the rest of the stream cannot be trusted
            return
        self._reading = False
        try:
            _check_json_text(body)
        except ApiError as exc:
            self._send(Answer(exc.status, exc.body(), exc.headers))
            return
        answer = self.server.exchange(self.command, self.path, dict(self.headers.items()), body,
                                      str(self.client_address[0]))
        if answer is None:
            self._drop()
        else:
            self._send(answer)

    def send_error(self, code: int, message: Optional[str] = None,
                   explain: Optional[str] = None) -> None:
        # What http.server itself refuses (a garbled request line, say) gets an Error too.
        self._refuse(ApiError(code, message or HTTPStatus(code).phrase))

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read fake.requests, not stderr

    def finish(self) -> None:
        super().finish()
        if self._refused:
            self._linger()

    def _refuse(self, exc: ApiError) -> None:
        """Answer ``exc`` and close: what follows on the connection cannot be trusted."""
        self.close_connection = self._refused = True
        self._send(Answer(exc.status, exc.body(), exc.headers))

    def _linger(self) -> None:
        # Closing a socket with unread bytes sends a reset, which can destroy the answer
        # before the client reads it: end our side, then discard what still comes.
        try:
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + _LINGER
            while (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(_READ_PIECE):
                    break
        except OSError:
            pass

    def _send(self, answer: Answer) -> None:
        bodiless = answer.status < 200 or answer.status in (204, 304)
        payload = b"" if bodiless or answer.body is None else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Request-Id", str(uuid.uuid4()))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if not bodiless:
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and getattr(self, "command", "") != "HEAD":
            self.wfile.write(payload)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _framing(self) -> Tuple[int, bool]:
        """The body's declared length (0 when none), and whether it is chunked instead."""
        # A header may come twice, or as a list: "Content-Length: 5, 5" is one length.
        codings = [c.strip().lower() for h in self.headers.get_all("Transfer-Encoding", [])
                   for c in h.split(",") if c.strip()]
        lengths = {n.strip() for h in self.headers.get_all("Content-Length", [])
                   for n in h.split(",")}
        if codings:
            # Two framings make the body's end ambiguous: request smuggling's raw material.
            if lengths:
                raise bad_request("Content-Length and Transfer-Encoding: send only one")
            if codings[-1] != "chunked":
                raise bad_request("Transfer-Encoding: must end with chunked")
            if len(codings) > 1:
                raise ApiError(501, "Transfer-Encoding: only chunked is supported")
            return 0, True
        if not lengths:
            return 0, False
        if len(lengths) > 1:
            raise bad_request("Content-Length: sent with different values")
        text = lengths.pop()
        if not _DIGITS.fullmatch(text):
            raise bad_request("Content-Length: must be a non-negative integer")
        digits = text.lstrip("0")
        if len(digits) > 18 or int(digits or "0") > self.server.limits.max_body_bytes:
            raise self._too_large()
        return int(digits or "0"), False

    def _too_large(self) -> ApiError:
        return ApiError(413, f"body: larger than {self.server.limits.max_body_bytes} bytes")

    def _read_body(self) -> bytes:
        length, chunked = self._framing()
        return self._read_chunked() if chunked else self._read_exactly(length)

    def _read_exactly(self, length: int) -> bytes:
        pieces: List[bytes] = []
        while length:
            piece = self.rfile.read(min(length, _READ_PIECE))
            if not piece:
                raise bad_request("body: the connection closed before its end")
            pieces.append(piece)
            length -= len(piece)
        return b"".join(pieces)

    def _read_chunked(self) -> bytes:
        body = bytearray()
        framing = 0  # bytes of sizes, extensions and trailers, limited like the data
        while True:
            line = self._read_line()
            framing += len(line)
            size_text = line.split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                raise bad_request("Transfer-Encoding: malformed chunk size")
            size = int(size_text, 16)
            if size == 0:
                break
            if len(body) + size > self.server.limits.max_body_bytes:
                raise self._too_large()
            body += self._read_exactly(size)
            if self._read_line().strip():
                raise bad_request("Transfer-Encoding: a chunk is longer than its size")
            if framing > self.server.limits.max_body_bytes:
                raise self._too_large()
        for _ in range(_MAX_TRAILERS):
            if not self._read_line().strip():
                return bytes(body)
        raise bad_request("Transfer-Encoding: too many trailers")

    def _read_line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if len(line) > _MAX_LINE:
            raise bad_request("Transfer-Encoding: line too long")
        if not line.endswith(b"\n"):
            raise bad_request("body: the connection closed before its end")
        return line


def _check_json_text(body: bytes) -> None:
    """400 unless ``body`` is empty or UTF-8 (RFC 8259) nested at most ``MAX_JSON_DEPTH``
    deep; ``json.loads`` would guess UTF-16 or -32, and recurse out of the stack."""
    if not body:
        return
    # JSON has no raw NUL, which every UTF-16 or UTF-32 text of ASCII characters has.
    if body.startswith(_BOMS) or b"\0" in body:
        raise bad_request("body: must be UTF-8 JSON")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("body: must be UTF-8 JSON") from None
    if _nesting_exceeds(body, MAX_JSON_DEPTH):
        raise bad_request(f"body: nested more than {MAX_JSON_DEPTH} levels deep")


def _nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in ``body`` nest deeper than ``limit``, brackets inside
    strings aside; found without parsing, so that no depth can exhaust the stack."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    # Drop escapes (left to right, as JSON reads them), then every other quote-delimited
    # stretch is a string.
    outside = b"".join(_ESCAPE.sub(b"", body).split(b'"')[0::2])
    depth = 0
    for byte in outside.translate(None, _NOT_BRACKET):
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
