"""A real HTTP server on 127.0.0.1 that records what the SDK sends and answers as told."""

from __future__ import annotations

import ast
import json
import re
import signal
import ssl
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme

import cohesity_sdk.helios
from cohesity_sdk.helios.testing import FakeHelios

API_KEY = "test-api-key-0123456789"


@dataclass
class Recorded:
    """One request as it arrived on the socket."""

    method: str
    target: str  # the raw request target: path and query, still percent-encoded
    path: str
    query: str
    headers: Dict[str, str]
    body: bytes

    @property
    def params(self) -> Dict[str, List[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Union[bytes, str, Any] = b""
    headers: Dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


class RecordingServer:
    """Answers with queued replies (200 ``{}`` when none is queued) and keeps every request."""

    def __init__(self) -> None:
        self.requests: List[Recorded] = []
        self.replies: List[Reply] = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in one segment: no Nagle/delayed-ACK stall per call.
            disable_nagle_algorithm = True
            wbufsize = 1 << 16

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    method=self.command,
                    target=self.path,
                    path=parts.path,
                    query=parts.query,
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                )
                with recorder._lock:
                    recorder.requests.append(recorded)
                    reply = recorder.replies.pop(0) if recorder.replies else Reply(200, {})
                payload = reply.payload()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if reply.status != 204:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if reply.status != 204 and self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v2"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def reply(self, status: int = 200, body: Any = b"", **headers: str) -> None:
        """Queue the answer to the next request."""
        self.replies.append(Reply(status, body, dict(headers)))

    @property
    def last(self) -> Recorded:
        assert self.requests, "the server received no request"
        return self.requests[-1]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.replies.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def _server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def server(_server: RecordingServer) -> Iterator[RecordingServer]:
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture
def configuration(server: RecordingServer) -> cohesity_sdk.helios.Configuration:
    # One exchange per call, so that a queued error is the answer the test sees;
    # retries have tests of their own (test_resilience.py).
    configuration = cohesity_sdk.helios.Configuration(host=server.url, retries=0)
    configuration.api_key["APIKeyHeader"] = API_KEY
    return configuration


@pytest.fixture
def api_client(
    configuration: cohesity_sdk.helios.Configuration,
) -> Iterator[cohesity_sdk.helios.ApiClient]:
    with cohesity_sdk.helios.ApiClient(configuration) as client:
        yield client


@pytest.fixture
def api(api_client: cohesity_sdk.helios.ApiClient) -> cohesity_sdk.helios.UserApi:
    return cohesity_sdk.helios.UserApi(api_client)


@pytest.fixture
def fake() -> Iterator[FakeHelios]:
    """A fresh FakeHelios per test: every test starts from the seeded admin only."""
    with FakeHelios() as running:
        yield running


def split_target(target: str) -> Tuple[str, Optional[str]]:
    path, _, query = target.partition("?")
    return path, query or None


def modules_loaded_by(code: str, *prefixes: str, **run: Any) -> List[str]:
    """The modules starting with one of ``prefixes`` that a fresh interpreter holds after
    running ``code``: what something meant to be cheap must not load."""
    probe = (f"{code}\nimport sys\n"
             f"print(sorted(m for m in sys.modules if m.startswith({prefixes!r})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, **run).stdout
    loaded: List[str] = ast.literal_eval(out.strip().splitlines()[-1])
    return loaded


def start_served_fake(*args: str) -> Tuple["subprocess.Popen[str]", str, str]:
    """``python -m cohesity_sdk.helios.testing --port 0 *args`` running; its URL and key
    (its third line, the control API's URL, is left to read)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cohesity_sdk.helios.testing", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    first, second = proc.stdout.readline(), proc.stdout.readline()
    url = re.fullmatch(r"FakeHelios listening on (http://127\.0\.0\.1:\d+/v2)\n", first)
    key = re.fullmatch(r"API key: (.+)\n", second)
    if not (url and key):
        stop_served_fake(proc)
        raise AssertionError(first + second)
    return proc, url.group(1), key.group(1)


def stop_served_fake(proc: "subprocess.Popen[str]",
                     stop_with: signal.Signals = signal.SIGINT) -> Tuple[int, str]:
    """Stop it with ``stop_with`` (Ctrl-C's by default); its exit status and what it
    wrote to stderr."""
    try:
        proc.send_signal(stop_with)
        status = proc.wait(timeout=10)
        assert proc.stderr is not None
        return status, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


# -- a TLS server, with a certificate of a CA made for the test ------------------------


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        body = b'{"users": [{"username": "tls"}]}'
        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Client-Cert", "yes" if peer else "no")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class TLSServer:
    def __init__(self, ca: trustme.CA, name: str, client_ca: Optional[trustme.CA] = None):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(name).configure_cert(context)
        if client_ca is not None:
            client_ca.configure_trust(context)
            context.verify_mode = ssl.CERT_REQUIRED
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}/v2"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[TLSServer]:
    server = TLSServer(ca, "127.0.0.1")
    yield server
    server.close()


# -- a forward proxy on loopback -----------------------------------------------------------


class ForwardProxy:
    """A plain HTTP forward proxy on loopback: takes absolute-form requests and forwards
    them, keeping each request's headers in ``seen``.

    ``credentials`` (user, password): it demands them as ``Proxy-Authorization: Basic``
    and answers 407 without them. ``upstream_port``: it sends every request to that
    port of 127.0.0.1, whatever host the request names, so that a client can call
    ``http://helios.example`` for real.
    """

    def __init__(self, credentials: Optional[Tuple[str, str]] = None,
                 upstream_port: Optional[int] = None) -> None:
        import base64
        import http.client

        import urllib3

        self.seen: List[Tuple[str, Dict[str, str]]] = []
        expected = None if credentials is None else "Basic " + base64.b64encode(
            ":".join(credentials).encode()).decode()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                proxy.seen.append((self.path, dict(self.headers.items())))
                if expected is not None and self.headers.get("Proxy-Authorization") != expected:
                    self.send_response(407)
                    self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = urllib3.util.parse_url(self.path)
                upstream = http.client.HTTPConnection(
                    "127.0.0.1" if upstream_port else target.host or "",
                    upstream_port or target.port or 80)
                headers = {k: v for k, v in self.headers.items()
                           if not k.lower().startswith("proxy-")}
                upstream.request("GET", target.request_uri, headers=headers)
                answer = upstream.getresponse()
                body = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection",
                                            "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                upstream.close()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"http://{self.address}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- a notebook in a real kernel -----------------------------------------------------------


def run_notebook(tmp: Path, cells: List[str], kernel: str) -> Dict[int, Any]:
    """Run ``cells`` in a Jupyter kernel of this Python, with Jupyter's and IPython's
    files in ``tmp`` rather than the user's home; the cells with their outputs, by
    position. Needs nbformat, nbclient and ipykernel (a test skips without them)."""
    import nbclient
    import nbformat
    from ipykernel import kernelspec

    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(tmp / "share" / "jupyter"))
    patch.setenv("JUPYTER_RUNTIME_DIR", str(tmp / "runtime"))
    patch.setenv("IPYTHONDIR", str(tmp / "ipython"))
    patch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    try:
        # A kernel spec of this very Python, where only this test looks for it.
        kernelspec.install(kernel_name=kernel, prefix=str(tmp))
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        client = nbclient.NotebookClient(
            notebook, timeout=120, startup_timeout=120, kernel_name=kernel,
            resources={"metadata": {"path": str(tmp)}})
        client.execute()
    finally:
        patch.undo()
    return dict(enumerate(notebook.cells))


def cell_output(cell: Any, kind: str) -> str:
    """A cell's ``text/html`` or ``text/plain`` display, or (``"stream"``) its printed
    text."""
    texts: List[str] = []
    for out in cell["outputs"]:
        if kind == "stream" and out["output_type"] == "stream":
            texts.append(out["text"])
        elif out["output_type"] in ("execute_result", "display_data"):
            texts.append(out["data"].get(kind, ""))
    return "".join(texts)
