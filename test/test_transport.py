"""The transport seam and what crosses it: a transport or pool of your own, hooks that
see each try, bodies read within the deadline and a size limit, connections for many
threads, and settings that take effect when they change."""

from __future__ import annotations

import gzip
import logging
import socket
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, List, Tuple

import pytest
import urllib3
from conftest import API_KEY, ForwardProxy, RecordingServer, TLSServer

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.testing import FakeHelios

# -- a transport of your own ----------------------------------------------------------


class Canned:
    """A transport that answers from a list, and keeps what it was sent."""

    def __init__(self, *answers: Tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.sent: List[helios.TransportRequest] = []
        self.closed = False

    def send(self, request: helios.TransportRequest) -> helios.TransportResponse:
        self.sent.append(request)
        status, body = self.answers.pop(0)
        return helios.TransportResponse(status, "OK", {"Content-Type": "application/json"},
                                        body)

    def close(self) -> None:
        self.closed = True


def test_a_transport_of_your_own_answers_the_calls() -> None:
    transport = Canned((503, b""), (200, b'{"users": [{"username": "canned"}]}'))
    configuration = helios.Configuration(host="https://cluster.invalid/v2", api_key="k",
                                         retries=helios.RetryPolicy(1, backoff_base=0))
    with helios.ApiClient(configuration, transport=transport) as client:
        users = helios.UserApi(client).get_users(domain="LOCAL").users or []
    assert [u.username for u in users] == ["canned"]
    assert [r.attempt for r in transport.sent] == [1, 2]  # the engine's retry, not its own
    first = transport.sent[0]
    assert (first.operation, first.method) == ("get_users", "GET")
    assert first.url == "https://cluster.invalid/v2/users?domain=LOCAL"
    assert first.headers["apiKey"] == "k" and "k" not in repr(first.headers)
    assert not transport.closed  # yours: the client leaves it open


def test_a_pool_manager_of_your_own_is_used(fake: FakeHelios) -> None:
    pool = urllib3.PoolManager(maxsize=2, headers={"X-From": "my-pool"})
    with helios.ApiClient(fake.configuration(), transport=pool) as client:
        assert helios.UserApi(client).get_users().users
        assert isinstance(client.transport, helios.Urllib3Transport)
        assert client.transport.pool_manager is pool
    assert len(pool.pools) == 1  # not cleared: the pool is yours


def test_something_that_is_no_transport_is_refused() -> None:
    with pytest.raises(helios.ApiTypeError, match="send.request. and close"):
        helios.ApiClient(transport="http://proxy")  # type: ignore[arg-type]


def test_hooks_see_each_try_and_its_answer(fake: FakeHelios) -> None:
    seen: List[str] = []
    hooks = {
        "request": [lambda request: seen.append(f"-> {request.operation} #{request.attempt}")],
        "response": [lambda request, response: seen.append(f"<- {response.status}")],
        "error": [lambda request, error: seen.append(f"!! {error.phase}")],
    }
    configuration = fake.configuration(retries=helios.RetryPolicy(2, backoff_base=0))
    client = helios.ApiClient(configuration, event_hooks=hooks)
    api = helios.UserApi(client)
    fake.fail_next("get_users", status=503)
    assert api.get_users().users
    fake.drop_next("get_users")
    assert api.get_users().users
    assert seen == ["-> get_users #1", "<- 503", "-> get_users #2", "<- 200",
                    "-> get_users #1", "!! read", "-> get_users #2", "<- 200"]
    client.event_hooks["request"].clear()  # hooks may be changed later
    api.get_users()
    assert seen[-1] == "<- 200" and seen[-2] == "<- 200"


def test_hooks_are_checked_when_given() -> None:
    with pytest.raises(helios.ApiValueError, match="request, response, error"):
        helios.ApiClient(event_hooks={"before-send": []})
    with pytest.raises(helios.ApiTypeError, match="cannot be called"):
        helios.ApiClient(event_hooks={"request": ["log"]})  # type: ignore[list-item]


def test_the_old_name_of_the_transport_still_imports() -> None:
    from cohesity_sdk.helios.rest import ApiException, RESTClientObject

    assert RESTClientObject is helios.Urllib3Transport
    assert ApiException is helios.ApiException


# -- servers that misbehave -----------------------------------------------------------


class RawServer:
    """Answers each connection with ``answer(socket)``, a test's own bytes."""

    def __init__(self, answer: Any) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/v2"
        self.answer = answer
        self.connections = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request (small; these tests send no body)
                self.answer(conn)
            except OSError:
                pass  # the client went away: what these tests are about

    def close(self) -> None:
        self._stop = True
        self.listener.close()


def _head(length: Any, *extra: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", *extra]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[RawServer]:
    server = RawServer(request.param)
    yield server
    server.close()


def _trickle(conn: socket.socket) -> None:
    body = b'{"users": [' + b" " * 200 + b"]}"
    conn.sendall(_head(len(body)))
    for byte in body:  # a byte every quarter of a second: 50 s in all
        conn.sendall(bytes([byte]))
        time.sleep(0.25)


@pytest.mark.parametrize("raw_server", [_trickle], indirect=True)
def test_a_trickling_body_ends_at_the_deadline(raw_server: RawServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(
        host=raw_server.url, api_key=API_KEY, timeout=2, deadline=3, retries=0)))
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users()
    assert 2.9 <= time.monotonic() - started < 3.5
    assert info.value.waiting_for == "body" and info.value.deadline == 3
    assert "timed out reading the answer from 127.0.0.1" in str(info.value)


def _bomb(conn: socket.socket) -> None:
    # 2 MiB of gzip that inflates to 2 GiB, though we asked for identity: 128 gzip
    # members of 16 MiB of zeros each (a gzip body may hold several).
    member = gzip.compress(b"\0" * 2**24, compresslevel=9)
    body = member * 128
    conn.sendall(_head(len(body), "Content-Encoding: gzip") + body)


@pytest.mark.parametrize("raw_server", [_bomb], indirect=True)
def test_a_gzip_bomb_is_refused_within_the_limit(raw_server: RawServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(
        host=raw_server.url, api_key=API_KEY, retries=0, max_response_bytes=8 * 2**20)))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(helios.ResponseTooLargeException) as info:
            api.get_users()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 40 * 2**20  # the 8 MiB let in, and a little more; not 2 GiB
    assert info.value.limit == 8 * 2**20
    assert "larger than the limit of 8388608 bytes" in str(info.value)


def _gzip_users(conn: socket.socket) -> None:
    # Two gzip members, as a server that compresses as it streams may send.
    body = gzip.compress(b'{"users": [{"username": ') + gzip.compress(b'"zipped"}]}')
    conn.sendall(_head(len(body), "Content-Encoding: gzip") + body)


@pytest.mark.parametrize("raw_server", [_gzip_users], indirect=True)
def test_a_gzip_answer_within_the_limit_is_read(raw_server: RawServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=raw_server.url,
                                                               api_key=API_KEY)))
    assert [u.username for u in api.get_users().users or []] == ["zipped"]


def _brotli(conn: socket.socket) -> None:
    conn.sendall(_head(4, "Content-Encoding: br") + b"\x0b\x00\x80\x03")


@pytest.mark.parametrize("raw_server", [_brotli], indirect=True)
def test_an_encoding_the_sdk_does_not_read_is_refused(raw_server: RawServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=raw_server.url,
                                                               api_key=API_KEY)))
    with pytest.raises(helios.ResponseDecodeException, match="encoded as 'br'"):
        api.get_users()


def _huge(conn: socket.socket) -> None:
    conn.sendall(_head(10 * 2**30))  # says 10 GiB, and sends none of it
    time.sleep(5)


@pytest.mark.parametrize("raw_server", [_huge], indirect=True)
def test_an_answer_declared_too_large_is_refused_before_reading(raw_server: RawServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=raw_server.url,
                                                               api_key=API_KEY, retries=0)))
    started = time.monotonic()
    with pytest.raises(helios.ResponseTooLargeException) as info:
        api.get_users()
    assert time.monotonic() - started < 1
    assert info.value.declared == 10 * 2**30
    assert info.value.limit == helios.Configuration().max_response_bytes == 256 * 2**20


def _cut_short(conn: socket.socket) -> None:
    conn.sendall(_head(100) + b'{"users": [')  # then the connection closes


@pytest.mark.parametrize("raw_server", [_cut_short], indirect=True)
def test_a_body_cut_short_is_a_dropped_connection(raw_server: RawServer) -> None:
    api = helios.UserApi(helios.ApiClient(helios.Configuration(
        host=raw_server.url, api_key=API_KEY, retries=helios.RetryPolicy(1, backoff_base=0))))
    with pytest.raises(helios.ApiConnectionError) as info:
        api.get_users()
    assert "broke after 11 of 100 bytes" in str(info.value)
    assert info.value.phase == "read" and info.value.attempts == 2  # a GET: tried again


def test_we_ask_for_an_identity_encoding(server: RecordingServer) -> None:
    configuration = helios.Configuration(host=server.url, api_key=API_KEY)
    helios.UserApi(helios.ApiClient(configuration)).get_users()
    assert server.last.headers["Accept-Encoding"] == "identity"


def test_a_large_answer_within_the_limit_is_read_whole(fake: FakeHelios) -> None:
    api = helios.UserApi(helios.ApiClient(fake.configuration()))
    api.create_users([helios.CreateUserParameters(
        username=f"bulk{i:04d}", domain="LOCAL", description="x" * 500,
        local_user_params=helios.LocalUserParams(password="pw-1")) for i in range(2000)])
    assert len(api.get_users().users or []) == 2001  # more than one read from the socket
    small = helios.UserApi(helios.ApiClient(fake.configuration(max_response_bytes=4096)))
    with pytest.raises(helios.ResponseTooLargeException):
        small.get_users()
    assert small.get_users(usernames=["admin"]).users  # the connection was not left broken


# -- many threads ---------------------------------------------------------------------


def test_32_threads_share_one_client_without_discarding_connections(
    fake: FakeHelios, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="urllib3")
    api = helios.UserApi(helios.ApiClient(fake.configuration()))
    barrier = threading.Barrier(32)

    def work(_: int) -> int:
        barrier.wait()  # all at once, so that 32 connections are open together
        return sum(len(api.get_users().users or []) for _ in range(5))

    with ThreadPoolExecutor(32) as pool:
        assert list(pool.map(work, range(32))) == [5] * 32
    assert "Connection pool is full" not in caplog.text


# -- settings that take effect --------------------------------------------------------


def test_verify_ssl_set_after_the_first_call_takes_effect(tls_server: TLSServer) -> None:
    configuration = helios.Configuration(host=tls_server.url, api_key=API_KEY,
                                         verify_ssl=False, retries=0)
    api = helios.UserApi(helios.ApiClient(configuration))
    assert api.get_users().users  # self-signed, and not verified
    configuration.verify_ssl = True
    with pytest.raises(helios.ApiConnectionError, match="TLS failed"):
        api.get_users()


def test_a_ca_bundle_set_after_the_first_call_takes_effect(
    tls_server: TLSServer, ca_file: str,
) -> None:
    configuration = helios.Configuration(host=tls_server.url, api_key=API_KEY, retries=0)
    api = helios.UserApi(helios.ApiClient(configuration))
    with pytest.raises(helios.ApiConnectionError, match="TLS failed"):
        api.get_users()
    configuration.ssl_ca_cert = ca_file
    assert api.get_users().users


def test_a_login_changed_after_the_first_call_takes_effect(fake: FakeHelios) -> None:
    configuration = fake.configuration(username="admin", password="admin")
    api = helios.UserApi(helios.ApiClient(configuration))
    api.get_users()
    configuration.password = "not-it"
    with pytest.raises(helios.UnauthorizedException):
        api.get_users()
    configuration.password = "admin"
    assert api.get_users().users
    logins = [r.json["password"] for r in fake.requests if r.operation_id == "create_session"]
    assert logins == ["admin", "not-it", "admin"]


def test_a_transport_setting_changed_under_a_transport_of_your_own_is_refused() -> None:
    configuration = helios.Configuration(host="https://cluster.invalid/v2", api_key="k")
    transport = Canned((200, b"{}"), (200, b"{}"), (200, b"{}"))
    api = helios.UserApi(helios.ApiClient(configuration, transport=transport))
    api.get_users()
    configuration.proxy = "http://proxy.invalid:3128"
    with pytest.raises(helios.ApiValueError, match="Configuration.proxy was changed, but "
                                                    "this client was given its own transport"):
        api.get_users()
    assert len(transport.sent) == 1
    configuration.proxy = None
    api.get_users()  # back as it was: fine again
    configuration.host = "https://other.invalid/v2"  # not a transport setting
    api.get_users()
    assert transport.sent[-1].url == "https://other.invalid/v2/users"


# -- credentials over plain http ------------------------------------------------------


def test_a_key_sent_over_plain_http_to_another_host_warns_once_per_client(
    fake: FakeHelios, caplog: pytest.LogCaptureFixture,
) -> None:
    port = int(fake.url.rsplit(":", 1)[1].split("/")[0])
    proxy = ForwardProxy(upstream_port=port)
    try:
        caplog.set_level(logging.WARNING, logger="cohesity_sdk.helios")
        for _ in range(2):  # two clients
            api = helios.UserApi(helios.ApiClient(helios.Configuration(
                host=f"http://helios.example:{port}/v2", api_key=fake.api_key,
                proxy=proxy.url)))
            api.get_users()
            api.get_users()
        warnings = [r for r in caplog.records if "is plain http" in r.getMessage()]
        assert len(warnings) == 2
        assert warnings[0].getMessage().startswith(f"helios.example:{port} is plain http")
        assert fake.api_key not in caplog.text
        # Loopback is this machine: no warning for the fake itself.
        caplog.clear()
        helios.UserApi(helios.ApiClient(fake.configuration())).get_users()
        assert "plain http" not in caplog.text
    finally:
        proxy.close()
