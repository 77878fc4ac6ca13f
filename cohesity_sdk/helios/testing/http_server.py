"""The HTTP/1.1 plumbing of the fake: sockets, bodies, answers and dropped connections.

It knows nothing of the API: each request goes to an ``Exchange`` callable, whose
``Answer`` is written back, or whose ``None`` closes the connection unanswered.
"""

from __future__ import annotations

import json
import selectors
import socket
import socketserver
import sys
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple

from cohesity_sdk.helios.testing.errors import ApiError, bad_request, error_code_for

_MAX_LINE = 65536


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None  # JSON; None: no body
    headers: Mapping[str, str] = field(default_factory=dict)


#: (method, request target, headers as sent, body bytes) -> the answer, or None to drop.
Exchange = Callable[[str, str, Dict[str, str], bytes], Optional[Answer]]


class FakeHTTPServer(ThreadingHTTPServer):
    """A threading server that can close its idle keep-alive connections on stop."""

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], exchange: Exchange) -> None:
        self.exchange = exchange
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
    server_version = "FakeHelios/1.0"
    # Headers and body leave in one segment: no Nagle/delayed-ACK stall per call.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ApiError as exc:
            self.close_connection = True  # the rest of the stream cannot be trusted
            self._send(Answer(exc.status, exc.body()))
            return
        answer = self.server.exchange(self.command, self.path, dict(self.headers.items()), body)
        if answer is None:
            self._drop()
        else:
            self._send(answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

    def send_error(self, code: int, message: Optional[str] = None,
                   explain: Optional[str] = None) -> None:
        # What http.server itself refuses (a garbled request line, say) gets an Error too.
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        self._send(Answer(code, {"errorCode": error_code_for(code), "message": text}))

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read fake.requests, not stderr

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

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        text = self.headers.get("Content-Length")
        if text is None:
            return b""
        if not text.strip().isdigit():
            raise bad_request("Content-Length: must be a non-negative integer")
        return self.rfile.read(int(text))

    def _read_chunked(self) -> bytes:
        chunks: List[bytes] = []
        while True:
            size_text = self.rfile.readline(_MAX_LINE).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise bad_request("Transfer-Encoding: malformed chunk size") from None
            if size == 0:
                break
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_MAX_LINE)  # the CRLF after the chunk
        while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)
